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
    'at', tostring(at), 'restored', restored, 'generation', redis.call('GET', P .. 'generation') or '')
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
-- so that the node sends it again after the earlier one. Answers nil when this write is the next one, which
-- the script marks applied with applied() once its writes are done: a script that fails halfway (a key of
-- the wrong type) is not counted, so its retry fails again, loudly, rather than pass as a duplicate.
local function out_of_turn(node, epoch, seq)
  local applied = tonumber(redis.call('GET', P .. 'applied:' .. node .. ':' .. epoch) or '0')
  local n = tonumber(seq)
  if n <= applied then
    return 'DUP'
  elseif n > applied + 1 then
    return 'GAP'
  end
  return nil
end

local function applied(node, epoch, seq)
  redis.call('SET', P .. 'applied:' .. node .. ':' .. epoch, seq)
end

-- The owner record of a client id, or nil. A record that does not decode into one (written by something
-- other than these scripts) counts as absent, so that it can never wedge a write, a query or the reaper.
local function owner(client)
  local current = redis.call('HGET', P .. 'clients', client)
  if not current then
    return nil
  end
  local ok, record = pcall(cjson.decode, current)
  if not ok or type(record) ~= 'table' or type(record.n) ~= 'string' or type(record.e) ~= 'string'
      or type(record.s) ~= 'string' then
    return nil
  end
  for _, field in ipairs({'t', 'r', 'p'}) do
    if type(record[field]) ~= 'string' then
      record[field] = ''
    end
  end
  return record
end

-- Whether an incarnation's own table says it holds this session of the client: the second book, kept with
-- the owner record by the same scripts, by which a session whose record was damaged is still declared.
local function holds(node, epoch, client, session)
  return redis.call('HGET', P .. 'held:' .. node .. ':' .. epoch, client) == session
end

-- Takes a session of an incarnation offline: the event first (a stream of the wrong type fails the script
-- before anything changed), then the owner record and the table.
local function retire(client, record, node, epoch, reason, detail, at)
  emit('OFFLINE', client, record, reason, detail, at, '0')
  redis.call('HDEL', P .. 'clients', client)
  redis.call('HDEL', P .. 'held:' .. node .. ':' .. epoch, client)
end

-- The session an incarnation holds, as an owner record: its own if intact, else what its table knows.
local function owned(client, node, epoch, session)
  local record = owner(client)
  if record and owned_by(record, node, epoch, session) then
    return record
  end
  if not record and holds(node, epoch, client, session) then
    return {n = node, e = epoch, s = session, t = '', r = '', p = ''}
  end
  return nil
end

local function expire(member_name, now)
  local epoch = redis.call('HGET', P .. 'node:' .. member_name, 'epoch')
  redis.call('ZREM', P .. 'nodes', member_name)
  redis.call('ZADD', P .. 'dead', now, member_name .. ':' .. (epoch or '0'))
end
