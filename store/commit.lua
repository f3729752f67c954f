-- commit.lua: one atomic write of the ledger (see tx.go).
--
-- KEYS[1]  a key carrying the deployment's hash tag; it only routes the script.
--          Every key an op names carries the same tag, so all live in one slot.
-- ARGV[1]  the dedupe key of the event being handled, or "" for none
-- ARGV[2]  the dedupe key's time to live, in seconds
-- ARGV[3]  a JSON array of ops, applied in order
-- ARGV[4…] large values: an op with "arg": n takes ARGV[3+n] as its value
--
-- Returns {"ok", allocated case number or ""}, {"dup", ""} when the event was
-- already handled, {"conflict", key} when a checked version is stale, or
-- {"sent", key .. " " .. field} when a sent-ledger entry that must be absent
-- exists. Every check runs before the first write, so a refused commit
-- writes nothing.
local dkey = ARGV[1]
if dkey ~= "" and redis.call("EXISTS", dkey) == 1 then
  return {"dup", ""}
end

local ops = cjson.decode(ARGV[3])
-- The records the checks read, by key, for the undo note.
local before = {}

for _, op in ipairs(ops) do
  if op.op == "check" then
    local cur = redis.call("GET", op.key)
    before[op.key] = cur
    local ver = 0
    if cur then
      -- Records end with their version ("ver":N}); reading it there spares
      -- decoding the whole record. Any other layout is decoded.
      local v = string.match(cur, '"ver":(%d+)}$')
      if v then
        ver = tonumber(v)
      else
        ver = cjson.decode(cur).ver or 0
      end
    end
    if ver ~= op.ver then
      return {"conflict", op.key}
    end
  elseif op.op == "zcount" then
    if redis.call("ZCOUNT", op.key, op.score or 0, op.score or 0) ~= (op.ver or 0) then
      return {"conflict", op.key}
    end
  elseif op.op == "slotfree" then
    -- A leader's reception day (the leader's index, score the day): no
    -- other planned or held reception (member: the one being moved) in
    -- the slot, 全天 ("full") overlapping both.
    for _, rid in ipairs(redis.call("ZRANGEBYSCORE", op.key, op.score, op.score)) do
      if rid ~= (op.member or "") then
        local raw = redis.call("GET", op.val .. rid)
        if raw then
          local r = cjson.decode(raw)
          if (r.st == "planned" or r.st == "held") and (r.s == op.field or r.s == "full" or op.field == "full") then
            return {"taken", (op.fmt or "") .. "\t" .. rid .. "\t" .. (r.s or "")}
          end
        end
      end
    end
  elseif op.op == "absent" then
    if redis.call("HEXISTS", op.key, op.field) == 1 then
      return {"sent", op.key .. " " .. op.field}
    end
  end
end

-- "@@NO@@" in any key, member or value stands for the case number allocated by
-- an earlier "alloc" op: a new case's reply names its number before it exists.
-- "@@ID@@" stands for the same number as the search index's members write it
-- (YYYY and the serial in six digits: XF-2026-0012 is 2026000012).
local no = ""
local id = ""
local function sub(s)
  if no ~= "" and type(s) == "string" then
    if string.find(s, "@@NO@@", 1, true) then
      s = string.gsub(s, "@@NO@@", no)
    end
    if id ~= "" and string.find(s, "@@ID@@", 1, true) then
      s = string.gsub(s, "@@ID@@", id)
    end
  end
  return s
end

-- The set of a split index (keys.go bucketOp) for member m: op.dl names
-- a new case's, known once its number is. bucket is defined before this
-- script (luaBucket).
local function dl_key(op, m)
  local k = sub(op.key)
  if not op.dl then return k end
  return k .. bucket(m)
end

for _, op in ipairs(ops) do
  local o = op.op
  if op.arg then
    op.val = ARGV[3 + op.arg]
  end
  if o == "alloc" then
    local n = redis.call("INCR", op.key)
    no = string.format(op.fmt, n)
    if op.ver then id = string.format("%d%06d", op.ver, n) end
  elseif o == "set" then
    redis.call("SET", sub(op.key), sub(op.val))
  elseif o == "rpush" then
    redis.call("RPUSH", sub(op.key), sub(op.val))
  elseif o == "lpush" then
    redis.call("LPUSH", sub(op.key), sub(op.val))
  elseif o == "zadd" then
    local m = sub(op.member)
    redis.call("ZADD", dl_key(op, m), op.score or 0, m)
  elseif o == "zrem" then
    local m = sub(op.member)
    redis.call("ZREM", dl_key(op, m), m)
  elseif o == "hset" then
    redis.call("HSET", sub(op.key), sub(op.field), sub(op.val))
  elseif o == "hdel" then
    redis.call("HDEL", sub(op.key), sub(op.field))
  elseif o == "hincr" then
    redis.call("HINCRBY", sub(op.key), sub(op.field), op.score or 0)
  elseif o == "sadd" then
    redis.call("SADD", sub(op.key), sub(op.member))
  elseif o == "saddm" then
    local m, pre = sub(op.member), sub(op.key)
    for _, k in ipairs(op.keys) do redis.call("SADD", pre .. k, m) end
  elseif o == "srem" then
    redis.call("SREM", sub(op.key), sub(op.member))
  elseif o == "del" then
    redis.call("DEL", sub(op.key))
  elseif o == "rpopn" then
    for _ = 1, op.ver do redis.call("RPOP", sub(op.key)) end
  elseif o == "expire" then
    redis.call("EXPIRE", sub(op.key), op.maxlen)
  elseif o == "undo" then
    -- The undo note (a JSON object) with the record of op.field as its
    -- check read it, before this write: "before".
    local b = before[op.field]
    if b then
      redis.call("SET", sub(op.key), string.sub(op.val, 1, -2) .. ',"before":' .. b .. "}", "EX", op.maxlen)
    end
  elseif o == "xaddm" then
    redis.call("XADD", sub(op.key), "*", "m", sub(op.val), "c", sub(ARGV[3 + op.c]), "t", sub(ARGV[3 + op.t]))
  elseif o == "xadd" then
    if op.maxlen and op.maxlen > 0 then
      redis.call("XADD", sub(op.key), "MAXLEN", "~", op.maxlen, "*", "m", sub(op.val))
    else
      redis.call("XADD", sub(op.key), "*", "m", sub(op.val))
    end
  end
end

if dkey ~= "" then
  local v = "1"
  if no ~= "" then v = no end
  redis.call("SET", dkey, v, "EX", ARGV[2])
end
return {"ok", no}
