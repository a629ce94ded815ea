-- join(node, address, leaseMs): a new incarnation of a node. ARGV[3..5].
local node, address, lease = ARGV[3], ARGV[4], tonumber(ARGV[5])
local now = now_ms()
local generation = redis.call('GET', P .. 'generation')
if not generation then
  -- A new cluster, or a Redis that lost its data: nodes that joined an older generation will rejoin.
  generation = tostring(now) .. '-' .. tostring(redis.call('INCR', P .. 'generations'))
  redis.call('SET', P .. 'generation', generation)
  redis.call('SET', P .. 'clock', now)
end
local deadline = redis.call('ZSCORE', P .. 'nodes', node)
if deadline and tonumber(deadline) >= now and redis.call('HGET', P .. 'node:' .. node, 'epoch') then
  return {'TAKEN', tostring(tonumber(deadline) - now)}
end
if deadline then
  expire(node, now) -- the previous incarnation lapsed and nobody expired it yet: its sessions are reaped
end
local epoch = tostring(redis.call('INCR', P .. 'epoch'))
redis.call('DEL', P .. 'node:' .. node)
redis.call('HSET', P .. 'node:' .. node, 'epoch', epoch, 'address', address, 'joined', now, 'renewed', now)
redis.call('ZADD', P .. 'nodes', now + lease, node)
redis.call('SET', P .. 'applied:' .. node .. ':' .. epoch, 0)
return {'JOINED', epoch, generation}
