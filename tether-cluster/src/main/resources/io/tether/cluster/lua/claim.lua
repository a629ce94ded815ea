-- claim(node, epoch, seq, client, session, since, remote, principal, at, restored). ARGV[3..12].
-- Puts a session online cluster-wide. A session of the same client id held anywhere else is replaced: its
-- OFFLINE REPLACED is appended before this ONLINE, in the same script, so the stream keeps a single
-- node's order, and its node finds it in its eviction list (and is told at once through its inbox). Answers
-- who was replaced elsewhere and why, for the caller to tell that session's node.
--
-- A client id online elsewhere as another principal is not taken over (as on one node): the newcomer is
-- announced and at once declared FORBIDDEN, and its node ends it.
--
-- A claim that reaches Redis after a claim for a session that came online later (its node was cut off for
-- a moment) does not take over: the later connection is the client's current one. The late session is
-- announced and at once declared REPLACED, so the stream still has one ONLINE and one OFFLINE for it, and its
-- own node ends it.
local node, epoch, seq, client = ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local record = {n = node, e = epoch, s = ARGV[7], t = ARGV[8], r = ARGV[9], p = ARGV[10]}
local at, restored = ARGV[11], ARGV[12]
if not member(node, epoch) then
  return {'FENCED'}
end
local turn = out_of_turn(node, epoch, seq)
if turn then
  return {turn}
end
local reply = {'ONLINE'}
local old = owner(client)
if old then
  if owned_by(old, node, epoch, record.s) then
    applied(node, epoch, seq) -- written before by an attempt that failed after its writes
    return {'DUP'}
  end
  local elsewhere = old.n ~= node or old.e ~= epoch
  local refusal, detail
  if elsewhere and old.p ~= record.p then
    refusal, detail = 'FORBIDDEN', 'client id ' .. client .. ' is online as another principal on node ' .. old.n
  elseif elsewhere and (tonumber(old.t) or 0) > (tonumber(record.t) or 0) then
    refusal, detail = 'REPLACED', 'replaced by session ' .. old.s .. ' on node ' .. old.n .. ' from ' .. old.r
      .. ', which came online later'
  end
  if refusal then
    emit('ONLINE', client, record, '', '', at, restored)
    emit('OFFLINE', client, record, refusal, detail, at, '0')
    redis.call('RPUSH', P .. 'evict:' .. node .. ':' .. epoch,
      record.s .. '\n' .. refusal .. '\n' .. detail .. '\n' .. client)
    applied(node, epoch, seq)
    return {'REFUSED', refusal, detail}
  end
  local detail = 'replaced by session ' .. record.s .. ' on node ' .. node .. ' from ' .. record.r
  retire(client, old, old.n, old.e, 'REPLACED', detail, at)
  if elsewhere then -- (otherwise this node's own registry replaced it already)
    redis.call('RPUSH', P .. 'evict:' .. old.n .. ':' .. old.e,
      old.s .. '\n' .. 'REPLACED' .. '\n' .. detail .. '\n' .. client)
    reply = {'ONLINE', old.n, old.e, old.s, detail}
  end
end
emit('ONLINE', client, record, '', '', at, restored)
redis.call('HSET', P .. 'clients', client, cjson.encode(record))
redis.call('HSET', P .. 'held:' .. node .. ':' .. epoch, client, record.s)
applied(node, epoch, seq)
return reply
