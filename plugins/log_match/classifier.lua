-- Default classifier of org.prophasis.log_match (contract: docs/PLUGIN_GUIDE.md).
local verdict = failureRule() -- failed runs and missing values first (docs/PLUGIN_GUIDE.md)
if verdict then
    return verdict
end
local n = #results
local last = results[n]

-- The value counts lines new since the previous run, so only the latest result matters.
local warn = tonumber(vars.log_match_warn) or 1
local crit = tonumber(vars.log_match_crit) or 10
if last.value >= crit then
    return "major"
elseif last.value >= warn then
    return "minor"
end
return "ok"
