-- list.lua: one page of an index and the cases on it, in one round trip.
-- KEYS[1] the sorted-set index; ARGV[1] min score, ARGV[2] max score,
-- ARGV[3] offset, ARGV[4] count, ARGV[5] case key prefix, ARGV[6] "rev" for
-- descending order. Returns {total matching, case JSON...}; a member whose
-- case key is missing returns false in its place.
local total = redis.call("ZCOUNT", KEYS[1], ARGV[1], ARGV[2])
local nos
if ARGV[6] == "rev" then
  nos = redis.call("ZREVRANGEBYSCORE", KEYS[1], ARGV[2], ARGV[1], "LIMIT", ARGV[3], ARGV[4])
else
  nos = redis.call("ZRANGEBYSCORE", KEYS[1], ARGV[1], ARGV[2], "LIMIT", ARGV[3], ARGV[4])
end
local out = {total}
for i, no in ipairs(nos) do
  out[i + 1] = redis.call("GET", ARGV[5] .. no)
end
return out
