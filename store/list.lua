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
-- every needle group (for what has no index). Returns {total matching, case
-- JSON...}; a member whose case key is missing returns false in its place.
local base, tmp = KEYS[1], KEYS[2]
local lo, hi, off, cnt, prefix = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
local rev = ARGV[6] == "rev"
local src = base
local scratch = {}

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
  for size in string.gmatch(sizes, "%d+") do
    size = tonumber(size)
    g = g + 1
    -- A group's empty indexes are left out (a department's 属地 index, in
    -- a liaison's scope): a union of one is read as it is.
    local live = {}
    for i = 0, size - 1 do
      if redis.call("EXISTS", KEYS[k + i]) == 1 then live[#live + 1] = KEYS[k + i] end
    end
    if #live == 0 then
      empty = true
    elseif #live == 1 then
      inter[#inter + 1] = live[1]
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
      inter[#inter + 1] = u
    end
    k = k + size
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
