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
-- every needle group (for what has no index). An index is a sorted set
-- scored as the base, or a set of case numbers (set:area, set:status).
-- Returns {total matching, case JSON...}; a member whose case key is
-- missing returns false in its place.
local base, tmp = KEYS[1], KEYS[2]
local lo, hi, off, cnt, prefix = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
local rev = ARGV[6] == "rev"
-- A case's record: the indexes of open cases hold its integer id
-- (2026000012, keys.byID), the others its number (XF-2026-0012), and the
-- indexes of receptions, letters and the rest their own ids.
local function record(no)
  if string.find(no, "^%d+$") then
    local v = tonumber(no)
    no = string.format("XF-%04d-%04d", math.floor(v / 1000000), v % 1000000)
  end
  return redis.call("GET", prefix .. no)
end
local src = base
local scratch = {}

local sizes = ARGV[7] or ""
local needles = {}
if ARGV[8] and ARGV[8] ~= "[]" then needles = cjson.decode(ARGV[8]) end
if sizes ~= "" then
  -- ARGV[9] "sub": every index of the groups is a subset of the base with
  -- the same scores (idx:open and the open-only indexes): the base is
  -- left out, and a lone index is read as it is. An index may also be a
  -- set of case numbers (set:area, set:status), which has no scores: then
  -- the base comes first in the intersection, its score kept.
  local sub = ARGV[9] == "sub"
  local groups = {}
  local k = 3
  local g = 0
  local empty, sets = false, false
  for size in string.gmatch(sizes, "%d+") do
    size = tonumber(size)
    g = g + 1
    -- A group's empty indexes are left out (a department's 属地 index, in
    -- a liaison's scope): a union of one is read as it is.
    local live, n, set = {}, 0, false
    for i = 0, size - 1 do
      local t = redis.call("TYPE", KEYS[k + i])
      if type(t) == "table" then t = t.ok end
      if t == "zset" then
        live[#live + 1] = KEYS[k + i]
        n = n + redis.call("ZCARD", KEYS[k + i])
      elseif t == "set" then
        live[#live + 1] = KEYS[k + i]
        n = n + redis.call("SCARD", KEYS[k + i])
        set = true
      end
    end
    if #live == 0 then
      empty = true
    elseif #live == 1 then
      groups[#groups + 1] = {key = live[1], n = n, set = set, lone = true}
    else
      local u = tmp .. ":" .. g
      local args = {u, #live}
      for _, key in ipairs(live) do args[#args + 1] = key end
      -- A case in two of the group's indexes (a town both 主责单位 and
      -- 属地) keeps its due day, the same in each, not their sum.
      args[#args + 1] = "AGGREGATE"
      args[#args + 1] = "MIN"
      redis.call("ZUNIONSTORE", unpack(args))
      scratch[#scratch + 1] = u
      groups[#groups + 1] = {key = u, n = n, set = set}
    end
    if set then sets = true end
    k = k + size
  end
  if empty then
    for _, key in ipairs(scratch) do redis.call("DEL", key) end
    return {0}
  end
  local inter = {}
  if sets then
    local r, all = redis.call("ZCOUNT", base, lo, hi), redis.call("ZCARD", base)
    local one = groups[1]
    if sub and #groups == 1 and one.lone and one.set and #needles == 0 and r == all and one.n > 0
      and (off + cnt) * r / one.n < one.n / 8 then
      -- One set alone on idx:open, over all of it (列表 属地:x, 列表 办理中):
      -- the set is a subset of the base, so its size is the count, and
      -- the page is the base walked in order asking the set, when that is
      -- much shorter than intersecting the whole set.
      local out, found, from = {one.n}, 0, 0
      while found < off + cnt do
        -- Read about as many as the page needs at the set's density.
        local batch = math.min(512, math.max(32, math.ceil((off + cnt - found) * r / one.n * 1.2)))
        local nos
        if rev then
          nos = redis.call("ZREVRANGEBYSCORE", base, hi, lo, "LIMIT", from, batch)
        else
          nos = redis.call("ZRANGEBYSCORE", base, lo, hi, "LIMIT", from, batch)
        end
        if #nos == 0 then break end
        for _, no in ipairs(nos) do
          if redis.call("SISMEMBER", one.key, no) == 1 then
            found = found + 1
            if found > off then out[#out + 1] = record(no) end
            if found >= off + cnt then break end
          end
        end
        from = from + batch
      end
      for _, key in ipairs(scratch) do redis.call("DEL", key) end
      return out
    end
    -- The base first (its scores are the due days); cut to the range
    -- first when that is smaller than every group, so that the
    -- intersection walks the range (列表 办理中 逾期).
    local smallest = math.huge
    for _, gr in ipairs(groups) do smallest = math.min(smallest, gr.n) end
    local first = base
    if r < all and r < smallest then
      first = tmp .. ":r"
      scratch[#scratch + 1] = first
      local ok = redis.pcall("ZRANGESTORE", first, base, lo, hi, "BYSCORE")
      if type(ok) == "table" and ok.err then -- before Redis 6.2, and miniredis
        local zs = redis.call("ZRANGEBYSCORE", base, lo, hi, "WITHSCORES")
        for i = 1, #zs, 1000 do
          local args = {first}
          for j = i, math.min(i + 999, #zs), 2 do args[#args + 1] = zs[j + 1]; args[#args + 1] = zs[j] end
          redis.call("ZADD", unpack(args))
        end
      end
      if r == 0 then
        for _, key in ipairs(scratch) do redis.call("DEL", key) end
        return {0}
      end
    end
    inter[1] = first
  elseif not sub then
    inter[1] = base
  end
  for _, gr in ipairs(groups) do inter[#inter + 1] = gr.key end
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
    out[i + 1] = record(no)
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
    local v = record(no)
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
