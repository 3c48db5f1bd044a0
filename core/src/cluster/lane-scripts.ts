/**
 * Per-target order across instances (the argument: docs/scale-out.md). Each lane (reporter and
 * target) has in Redis a sequence counter, the set of its open deliveries by sequence number, a
 * lock held while one of them is sent, and the wait its remote asked for. A delivery is sent only
 * while it is the lane's oldest open one and holds the lock; a newer delivery that supersedes takes
 * the older ones out of the open set, and they can never be sent afterwards. Each step is one Lua
 * script: Redis runs it atomically, so instances cannot interleave inside it.
 *
 * Keys: `lane` (hash: seq, sb = the newest superseding seq, sbId = its delivery, nb = not before),
 * `open` (sorted set: delivery id by seq), `lock` (string: the sending attempt's token, with a ttl).
 */

/**
 * KEYS: lane, open, settled. ARGV: delivery id, supersede (1|0), ttl ms. Returns [seq, ids it superseded].
 * Idempotent: a delivery already open keeps its number, one already settled is not opened again.
 */
export const ENQUEUE = `
if redis.call('exists', KEYS[3]) == 1 then return {0, {}} end
local open = redis.call('zscore', KEYS[2], ARGV[1])
if open then return {tonumber(open), {}} end
local seq = redis.call('hincrby', KEYS[1], 'seq', 1)
redis.call('pexpire', KEYS[1], ARGV[3])
local older = {}
if ARGV[2] == '1' then
  older = redis.call('zrangebyscore', KEYS[2], '-inf', '(' .. seq)
  redis.call('zremrangebyscore', KEYS[2], '-inf', '(' .. seq)
  redis.call('hset', KEYS[1], 'sb', seq, 'sbId', ARGV[1])
end
redis.call('zadd', KEYS[2], seq, ARGV[1])
redis.call('pexpire', KEYS[2], ARGV[3])
return {seq, older}`;

/**
 * KEYS: lane, open, lock, origin hold, settled. ARGV: delivery id, seq, lock token, lock ttl ms, now, expedite (1|0).
 * Returns ['superseded', by] | ['settled', status] | ['behind', head id] | ['hold', until ms] | ['locked', ms left] | ['go'].
 * 'settled': a job run again after its instance died between ending its send and completing the job.
 */
export const BEGIN = `
local seq = tonumber(ARGV[2])
local sb = tonumber(redis.call('hget', KEYS[1], 'sb') or '0')
if sb > seq then return {'superseded', redis.call('hget', KEYS[1], 'sbId') or ''} end
local settled = redis.call('get', KEYS[5])
if settled then return {'settled', settled} end
local head = redis.call('zrange', KEYS[2], 0, 0)[1]
if head and head ~= ARGV[1] then return {'behind', head} end
if ARGV[6] ~= '1' then
  local now = tonumber(ARGV[5])
  local nb = tonumber(redis.call('hget', KEYS[1], 'nb') or '0')
  if nb > now then return {'hold', tostring(nb)} end
  local held = redis.call('pttl', KEYS[4])
  if held > 0 then return {'hold', tostring(now + held)} end
end
-- A begin resent after Redis restarted (its answer lost) finds its own lock: it goes on.
if redis.call('get', KEYS[3]) ~= ARGV[3] and not redis.call('set', KEYS[3], ARGV[3], 'PX', ARGV[4], 'NX') then
  return {'locked', tostring(redis.call('pttl', KEYS[3]))}
end
return {'go'}`;

/**
 * KEYS: lane, open, lock, settled. ARGV: delivery id, lock token, its status if settled ('' if not), not before ms (0: none), ttl ms.
 * Returns [sb, sbId, next head id or '']. A settled delivery's status is kept for the ttl: a run of it again ends there.
 */
export const END = `
if ARGV[3] ~= '' then
  redis.call('zrem', KEYS[2], ARGV[1])
  redis.call('set', KEYS[4], ARGV[3], 'PX', ARGV[5])
end
local nb = tonumber(ARGV[4])
if nb > 0 and nb > tonumber(redis.call('hget', KEYS[1], 'nb') or '0') then redis.call('hset', KEYS[1], 'nb', nb) end
if redis.call('get', KEYS[3]) == ARGV[2] then redis.call('del', KEYS[3]) end
redis.call('pexpire', KEYS[1], ARGV[5])
return {redis.call('hget', KEYS[1], 'sb') or '0', redis.call('hget', KEYS[1], 'sbId') or '', redis.call('zrange', KEYS[2], 0, 0)[1] or ''}`;

/** KEYS: open. ARGV: delivery id. Takes an open entry whose job never came (its instance died in between) out of the way. */
export const FORGET = `return redis.call('zrem', KEYS[1], ARGV[1])`;
