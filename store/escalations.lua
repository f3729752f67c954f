-- escalations.lua: the escalations due on or before a day, with their cases.
-- KEYS[1] the escalation index (zset, score = day number of the next step);
-- ARGV[1] the day number, ARGV[2] the escalation key prefix, ARGV[3] the case
-- key prefix. Returns {state JSON, case JSON or false, ...}.
local nos = redis.call("ZRANGEBYSCORE", KEYS[1], "-inf", ARGV[1])
local out = {}
for _, no in ipairs(nos) do
  out[#out + 1] = redis.call("GET", ARGV[2] .. no)
  out[#out + 1] = redis.call("GET", ARGV[3] .. no)
end
return out
