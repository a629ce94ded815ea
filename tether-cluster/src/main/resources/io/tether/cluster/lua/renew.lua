-- renew(node, epoch, leaseMs, intervalMs, generation). ARGV[3..7]. Also the cluster's clock: it expires
-- every lease that lapsed, so whichever node renews first after a deadline passes declares the dead one.
local node, epoch, lease, interval, generation = ARGV[3], ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7]
local now = now_ms()
if redis.call('GET', P .. 'generation') ~= generation then
  return {'LOST'} -- Redis no longer holds what this node wrote (restarted without its data)
end
-- Time in which no node renewed at all is not held against anyone: Redis itself, or every node's way to
-- it, was down, and a lease that lapsed then says nothing about its node. Only a gap long enough to lapse
-- a lease renewed on time counts (a shorter one costs no live node its lease), so that a busy moment does
-- not also push back the declaration of a node that did die.
local clock = tonumber(redis.call('GET', P .. 'clock') or now)
local gap = now - clock
local granted = gap > lease - interval
if granted then
  local leases = redis.call('ZRANGE', P .. 'nodes', 0, -1, 'WITHSCORES')
  for i = 1, #leases, 2 do
    redis.call('ZADD', P .. 'nodes', tonumber(leases[i + 1]) + gap, leases[i])
  end
end
redis.call('SET', P .. 'clock', now)
for _, lapsed in ipairs(redis.call('ZRANGEBYSCORE', P .. 'nodes', '-inf', '(' .. now)) do
  expire(lapsed, now)
end
if not member(node, epoch) then
  return {'FENCED'}
end
redis.call('ZADD', P .. 'nodes', now + lease, node)
redis.call('HSET', P .. 'node:' .. node, 'renewed', now)
-- Sessions of this node replaced elsewhere since the last renewal: the node ends them. (Its inbox told it
-- at once too, but pub/sub drops what a reconnecting subscriber misses; this list does not.)
local evict = P .. 'evict:' .. node .. ':' .. epoch
local evictions = redis.call('LRANGE', evict, 0, 999)
redis.call('LTRIM', evict, 1000, -1)
-- One surviving node at a time reaps the dead: the first to renew while there are dead takes the reaping
-- for a lease's length and keeps it while it renews; if it dies too, another takes over when that lapses.
local reap = '0'
if redis.call('ZCARD', P .. 'dead') > 0 then
  local reaper = redis.call('GET', P .. 'reaper')
  if not reaper or reaper == node then
    redis.call('SET', P .. 'reaper', node, 'PX', lease)
    reap = '1'
  end
end
local reply = {'OK', reap, tostring(granted and gap or 0)}
for _, entry in ipairs(evictions) do
  reply[#reply + 1] = entry
end
return reply
