-- release(node, epoch, seq, client, session, reason, detail, at). ARGV[3..10].
-- Takes a session offline cluster-wide if it still holds its client id; otherwise whoever took it over
-- (a replacing session, or the reaper of a dead node) already appended its one OFFLINE.
local node, epoch, seq, client, session = ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
-- A release from an incarnation no longer in the cluster is still applied if it owns the record (the
-- reaper has not reached it): it only ever removes, and says truly why the session ended.
local counted = member(node, epoch)
if counted then
  local turn = out_of_turn(node, epoch, seq)
  if turn then
    return {turn}
  end
end
local record = owned(client, node, epoch, session)
if record then
  retire(client, record, node, epoch, ARGV[8], ARGV[9], ARGV[10])
end
if counted then
  applied(node, epoch, seq)
end
return {record and 'OFFLINE' or 'STALE'}
