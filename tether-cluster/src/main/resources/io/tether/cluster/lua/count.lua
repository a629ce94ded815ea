-- count(). The clients online in the cluster: every owner record, less those of incarnations declared dead
-- and not yet reaped (their node tables hold exactly the records they still own).
local online = redis.call('HLEN', P .. 'clients')
for _, name in ipairs(redis.call('ZRANGE', P .. 'dead', 0, -1)) do
  local node, epoch = string.match(name, '^(.*):([^:]*)$')
  online = online - redis.call('HLEN', P .. 'held:' .. node .. ':' .. epoch)
end
return {tostring(online)}
