-- reap(batch). ARGV[3]. Declares up to batch sessions of one expired incarnation
-- offline. Each session leaves its node's table and gets its OFFLINE in the same script, so however many
-- nodes reap at once, each session is declared exactly once. Answers how many remain to be reaped.
local batch = tonumber(ARGV[3])
local first = redis.call('ZRANGE', P .. 'dead', 0, 0, 'WITHSCORES')
if #first == 0 then
  return {'0', '0'}
end
local name, since = first[1], first[2]
local node, epoch = string.match(name, '^(.*):([^:]*)$')
local held = P .. 'held:' .. node .. ':' .. epoch
local now = now_ms()
local reaped = 0
local entries = redis.call('HRANDFIELD', held, batch, 'WITHVALUES')
for i = 1, #entries, 2 do
  local client, session = entries[i], entries[i + 1]
  local record = owned(client, node, epoch, session)
  if record then
    retire(client, record, node, epoch, 'NODE_LOST',
      'node ' .. node .. ' (epoch ' .. epoch .. ') lost its lease; declared dead at ' .. since, now)
    reaped = reaped + 1
  else
    redis.call('HDEL', held, client)
  end
end
if redis.call('HLEN', held) == 0 then
  redis.call('ZREM', P .. 'dead', name)
  redis.call('DEL', P .. 'applied:' .. node .. ':' .. epoch, P .. 'evict:' .. node .. ':' .. epoch)
  if redis.call('HGET', P .. 'node:' .. node, 'epoch') == epoch then
    redis.call('DEL', P .. 'node:' .. node)
  end
end
local remaining = 0
for _, other in ipairs(redis.call('ZRANGE', P .. 'dead', 0, -1)) do
  local n, e = string.match(other, '^(.*):([^:]*)$')
  remaining = remaining + redis.call('HLEN', P .. 'held:' .. n .. ':' .. e) + 1
end
return {tostring(reaped), tostring(remaining), name}
