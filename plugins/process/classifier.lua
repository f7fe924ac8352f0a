-- Default classifier of org.prophasis.process (contract: docs/PLUGIN_GUIDE.md).
local verdict = failureRule() -- failed runs and missing values first (docs/PLUGIN_GUIDE.md)
if verdict then
    return verdict
end
local n = #results
local last = results[n]

local min = tonumber(vars.process_min) or 1
local max = tonumber(vars.process_max) -- no upper limit unless set
if last.value < min then
    return "critical" -- not running (or too few instances)
elseif max and last.value > max then
    return "minor"
end
return "ok"
