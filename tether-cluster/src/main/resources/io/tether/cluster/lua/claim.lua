-- claim(node, epoch, seq, client, session, since, remote, principal, at, restored). ARGV[3..12].
-- Puts a session online cluster-wide. A session of the same client id held anywhere else is replaced: its
-- OFFLINE REPLACED is appended before this ONLINE, in the same script, so the stream keeps a single
-- node's order. Answers who was replaced, for the caller to tell that session's node.
local node, epoch, seq, client = ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local record = {n = node, e = epoch, s = ARGV[7], t = ARGV[8], r = ARGV[9], p = ARGV[10]}
local at, restored = ARGV[11], ARGV[12]
if duplicate(node, epoch, seq) then
  return {'DUP'}
end
if not member(node, epoch) then
  return {'FENCED'}
end
redis.call('SET', P .. 'applied:' .. node .. ':' .. epoch, seq)
local reply = {'ONLINE'}
local current = redis.call('HGET', P .. 'clients', client)
if current then
  local old = cjson.decode(current)
  if owned_by(old, node, epoch, record.s) then
    return {'DUP'}
  end
  redis.call('HDEL', P .. 'held:' .. old.n .. ':' .. old.e, client)
  emit('OFFLINE', client, old, 'REPLACED',
    'replaced by session ' .. record.s .. ' on node ' .. node .. ' from ' .. record.r, at, '0')
  reply = {'ONLINE', old.n, old.e, old.s}
end
redis.call('HSET', P .. 'clients', client, cjson.encode(record))
redis.call('HSET', P .. 'held:' .. node .. ':' .. epoch, client, record.s)
emit('ONLINE', client, record, '', '', at, restored)
return reply
