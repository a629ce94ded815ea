-- leave(node, epoch). ARGV[3..4]. A node that shuts down normally released its sessions one by one before
-- this; any still held (the node closed before its server) are declared offline here, as SERVER_SHUTDOWN.
local node, epoch = ARGV[3], ARGV[4]
if not member(node, epoch) then
  return {'FENCED'}
end
local now = now_ms()
local held = P .. 'held:' .. node .. ':' .. epoch
local entries = redis.call('HGETALL', held)
for i = 1, #entries, 2 do
  local record = owned(entries[i], node, epoch, entries[i + 1])
  if record then
    retire(entries[i], record, node, epoch, 'SERVER_SHUTDOWN', 'node ' .. node .. ' left the cluster', now)
  end
end
redis.call('DEL', held, P .. 'applied:' .. node .. ':' .. epoch, P .. 'node:' .. node,
  P .. 'evict:' .. node .. ':' .. epoch)
redis.call('ZREM', P .. 'nodes', node)
return {'LEFT', tostring(#entries / 2)}
