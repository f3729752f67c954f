-- list.lua: one page of an index, narrowed by filters, and the cases on it,
-- in one round trip, with the exact count of all matches.
--
-- KEYS[1] the base sorted-set index; KEYS[2] a scratch key (tmp:list:…),
-- deleted before the script returns, as are KEYS[2] .. ":" .. n; KEYS[3…]
-- the keys of the index groups, flattened.
-- ARGV[1] min score, ARGV[2] max score, ARGV[3] offset, ARGV[4] count,
-- ARGV[5] case key prefix, ARGV[6] "rev" for descending order,
-- ARGV[7] the sizes of the index groups, comma-separated ("" for none),
-- ARGV[8] the needle groups: JSON array of arrays of strings; ARGV[9]
-- "sub" when the groups' indexes are subsets of the base. ARGV[7] and
-- ARGV[8], ARGV[9] may be left out (receptions, letters and reminders list pages of
-- their indexes with the first six arguments only).
--
-- A case is listed when it is in the base and in at least one index of every
-- index group (ZUNIONSTORE per group of more than one, one ZINTERSTORE
-- keeping the base's score), and its record holds at least one needle of
-- every needle group (for what has no index). An index may be a sorted set
-- (scored as the base) or a set of case numbers as integers (ids:unit,
-- ids:area), which is matched through the base (view). Returns {total
-- matching, case JSON...}; a member whose case key is missing returns false
-- in its place.
local base, tmp = KEYS[1], KEYS[2]
local lo, hi, off, cnt, prefix = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
local rev = ARGV[6] == "rev"
local src = base
local scratch = {}

-- union returns one set key for a group of sets: the set itself, or their
-- union stored in u (a scratch key).
local function union(sets, u)
  if #sets == 1 then return sets[1] end
  local args = {u}
  for _, key in ipairs(sets) do args[#args + 1] = key end
  redis.call("SUNIONSTORE", unpack(args))
  scratch[#scratch + 1] = u
  return u
end

-- view stores in v the members of the base in the score range that are in
-- every one of sets (sets of case numbers as integers, 2026000012 for
-- XF-2026-0012), with the base's scores, and returns how many. It walks
-- the smaller side: the base's range, asking the sets, or the sets'
-- intersection, asking the base for each score.
local function view(v, sets)
  local smallest = redis.call("SCARD", sets[1])
  for i = 2, #sets do smallest = math.min(smallest, redis.call("SCARD", sets[i])) end
  local args = {v}
  if redis.call("ZCOUNT", base, lo, hi) <= smallest then
    local zs = redis.call("ZRANGEBYSCORE", base, lo, hi, "WITHSCORES")
    for i = 1, #zs, 2 do
      local y, s = string.match(zs[i], "^XF%-(%d+)%-(%d+)$")
      if y then
        local id = y .. string.format("%06d", tonumber(s))
        local all = true
        for _, key in ipairs(sets) do
          if redis.call("SISMEMBER", key, id) == 0 then all = false break end
        end
        if all then args[#args + 1] = zs[i + 1]; args[#args + 1] = zs[i] end
      end
    end
  else
    local ids
    if #sets == 1 then ids = redis.call("SMEMBERS", sets[1]) else ids = redis.call("SINTER", unpack(sets)) end
    for _, id in ipairs(ids) do
      local no = "XF-" .. string.sub(id, 1, 4) .. "-" .. string.format("%04d", tonumber(string.sub(id, 5)))
      local sc = redis.call("ZSCORE", base, no)
      if sc then args[#args + 1] = sc; args[#args + 1] = no end
    end
  end
  local n = (#args - 1) / 2
  for i = 2, #args, 1000 do
    redis.call("ZADD", v, unpack(args, i, math.min(i + 999, #args)))
  end
  return n
end

local sizes = ARGV[7] or ""
if sizes ~= "" then
  -- ARGV[9] "sub": every index of the groups is a subset of the base with
  -- the same scores (idx:open and the open-only indexes): the base is
  -- left out, and a lone index is read as it is.
  local inter = {}
  if ARGV[9] ~= "sub" then inter[1] = base end
  local k = 3
  local g = 0
  local empty = false
  -- Groups of sets (the integer sets of case numbers, ids:unit and
  -- ids:area) carry no score: they are matched through the base below.
  local setgroups = {}
  for size in string.gmatch(sizes, "%d+") do
    size = tonumber(size)
    g = g + 1
    -- A group's empty indexes are left out (a department's 属地 index, in
    -- a liaison's scope): a union of one is read as it is.
    local live, sets = {}, {}
    for i = 0, size - 1 do
      local t = redis.call("TYPE", KEYS[k + i])
      if type(t) == "table" then t = t.ok end
      if t == "zset" then live[#live + 1] = KEYS[k + i] elseif t == "set" then sets[#sets + 1] = KEYS[k + i] end
    end
    if #sets > 0 and #live > 0 then
      -- Sorted sets and sets in one group: the sets become a sorted set
      -- of the base's members and scores, one more of the union.
      local v = tmp .. ":m" .. g
      scratch[#scratch + 1] = v
      local n = view(v, {union(sets, tmp .. ":s" .. g)})
      if n > 0 then live[#live + 1] = v end
    elseif #sets > 0 then
      setgroups[#setgroups + 1] = union(sets, tmp .. ":s" .. g)
    end
    if #live == 0 and #sets == 0 then
      empty = true
    elseif #live == 1 then
      inter[#inter + 1] = live[1]
    elseif #live > 1 then
      local u = tmp .. ":" .. g
      local args = {u, #live}
      for _, key in ipairs(live) do args[#args + 1] = key end
      -- A case in two of the group's indexes keeps its score (the same in
      -- each), not their sum.
      args[#args + 1] = "AGGREGATE"
      args[#args + 1] = "MIN"
      redis.call("ZUNIONSTORE", unpack(args))
      scratch[#scratch + 1] = u
      inter[#inter + 1] = u
    end
    k = k + size
  end
  if not empty and #setgroups == 1 and #inter == 0 and ARGV[9] == "sub" and (ARGV[8] or "[]") == "[]" then
    -- One set alone on idx:open, over all of it (列表 单位:x): the set is
    -- a subset of the base, so its size is the count, and the page is the
    -- base walked in order asking the set — when that is shorter than
    -- reading the whole set (a unit of 6,700 among 100,000: ~450 asked
    -- instead of 6,700 scores read).
    local set = setgroups[1]
    local r, n = redis.call("ZCOUNT", base, lo, hi), redis.call("SCARD", set)
    if r == redis.call("ZCARD", base) and n > 0 and (off + cnt) * r / n < n then
      local out, found, from = {n}, 0, 0
      while found < off + cnt do
        local nos
        if rev then
          nos = redis.call("ZREVRANGEBYSCORE", base, hi, lo, "LIMIT", from, 256)
        else
          nos = redis.call("ZRANGEBYSCORE", base, lo, hi, "LIMIT", from, 256)
        end
        if #nos == 0 then break end
        for _, no in ipairs(nos) do
          local y, sn = string.match(no, "^XF%-(%d+)%-(%d+)$")
          if y and redis.call("SISMEMBER", set, y .. string.format("%06d", tonumber(sn))) == 1 then
            found = found + 1
            if found > off then out[#out + 1] = redis.call("GET", prefix .. no) end
            if found >= off + cnt then break end
          end
        end
        from = from + 256
      end
      for _, key in ipairs(scratch) do redis.call("DEL", key) end
      return out
    end
  end
  if not empty and #setgroups > 0 then
    local v = tmp .. ":v"
    scratch[#scratch + 1] = v
    if view(v, setgroups) == 0 then empty = true else inter[#inter + 1] = v end
  end
  if empty then
    for _, key in ipairs(scratch) do redis.call("DEL", key) end
    return {0}
  end
  if #inter == 1 then
    src = inter[1]
  else
    local args = {tmp, #inter}
    for _, key in ipairs(inter) do args[#args + 1] = key end
    args[#args + 1] = "WEIGHTS"
    args[#args + 1] = 1
    for i = 2, #inter do args[#args + 1] = 0 end
    redis.call("ZINTERSTORE", unpack(args))
    scratch[#scratch + 1] = tmp
    src = tmp
  end
end

local needles = {}
if ARGV[8] and ARGV[8] ~= "[]" then needles = cjson.decode(ARGV[8]) end
local out
if #needles == 0 then
  local total = redis.call("ZCOUNT", src, lo, hi)
  local nos
  if rev then
    nos = redis.call("ZREVRANGEBYSCORE", src, hi, lo, "LIMIT", off, cnt)
  else
    nos = redis.call("ZRANGEBYSCORE", src, lo, hi, "LIMIT", off, cnt)
  end
  out = {total}
  for i, no in ipairs(nos) do
    out[i + 1] = redis.call("GET", prefix .. no)
  end
else
  -- No index: the records in the score range are read and matched; the
  -- cost follows the matches of the indexed filters.
  local nos
  if rev then
    nos = redis.call("ZREVRANGEBYSCORE", src, hi, lo)
  else
    nos = redis.call("ZRANGEBYSCORE", src, lo, hi)
  end
  local total = 0
  out = {0}
  for _, no in ipairs(nos) do
    local v = redis.call("GET", prefix .. no)
    local ok = v ~= false
    if ok then
      for _, group in ipairs(needles) do
        local any = false
        for _, n in ipairs(group) do
          if string.find(v, n, 1, true) then any = true break end
        end
        if not any then ok = false break end
      end
    end
    if ok then
      total = total + 1
      if total > off and total <= off + cnt then out[#out + 1] = v end
    end
  end
  out[1] = total
end

for _, key in ipairs(scratch) do redis.call("DEL", key) end
return out
