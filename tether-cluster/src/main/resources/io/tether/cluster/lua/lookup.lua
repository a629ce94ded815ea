-- lookup(client). ARGV[3]. The owner record of a client id, or nil. A record whose incarnation is no longer
-- in the cluster (declared dead, its sessions not all reaped yet) is not online: queries stop seeing a dead
-- node's sessions the moment its lease is expired, however long the reaper takes to write their OFFLINEs.
local record = owner(ARGV[3])
if not record or not member(record.n, record.e) then
  return {}
end
return {cjson.encode(record)}
