-- Shared by every script (prepended to each). Every key of one cluster carries the same hash tag, so a
-- script touches one slot of a Redis Cluster; ARGV[1] is that prefix ("tether:{name}:"), ARGV[2] the
-- stream's approximate length bound. Time is Redis's own clock, so nodes' clocks never disagree.
local P = ARGV[1]
local MAXLEN = ARGV[2]

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- Appends one presence event to the stream; the fields are documented in docs/CLUSTER.md.
local function emit(kind, client, owner, reason, detail, at, restored)
  redis.call('XADD', P .. 'events', 'MAXLEN', '~', MAXLEN, '*',
    'type', kind, 'client', client, 'node', owner.n, 'epoch', owner.e, 'session', owner.s,
    'remote', owner.r, 'principal', owner.p, 'since', owner.t, 'reason', reason, 'detail', detail,
    'at', tostring(at), 'restored', restored)
end

-- An incarnation (node id and epoch) is in the cluster until a renewal's expiry step moves it out: a lease
-- that lapsed but was not yet expired still counts, so that a cluster-wide outage (see renew) cannot fence
-- a node before the clock's grace is applied.
local function member(node, epoch)
  return redis.call('ZSCORE', P .. 'nodes', node) and redis.call('HGET', P .. 'node:' .. node, 'epoch') == epoch
end

local function owned_by(record, node, epoch, session)
  return record.n == node and record.e == epoch and record.s == session
end

-- A member's writes apply in the order it numbered them, each once: a number already applied is a
-- duplicate (a retry after a lost reply), and a number past the next one is a write that overtook an earlier
-- one (which was sent again after Redis had lost the script); both are answered without effect, the second
-- so that the node sends it again after the earlier one. Answers nil when this write is the next one.
local function out_of_turn(node, epoch, seq)
  local key = P .. 'applied:' .. node .. ':' .. epoch
  local applied = tonumber(redis.call('GET', key) or '0')
  local n = tonumber(seq)
  if n <= applied then
    return 'DUP'
  elseif n > applied + 1 then
    return 'GAP'
  end
  redis.call('SET', key, n)
  return nil
end

local function expire(member_name, now)
  local epoch = redis.call('HGET', P .. 'node:' .. member_name, 'epoch')
  redis.call('ZREM', P .. 'nodes', member_name)
  redis.call('ZADD', P .. 'dead', now, member_name .. ':' .. (epoch or '0'))
end
