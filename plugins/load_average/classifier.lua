-- Default classifier of org.prophasis.load_average (contract: docs/PLUGIN_GUIDE.md).
local verdict = failureRule() -- failed runs and missing values first (docs/PLUGIN_GUIDE.md)
if verdict then
    return verdict
end
local n = #results
local last = results[n]
if last.metrics.load5 == nil then
    return "unknown"
end

-- The 5-minute load smooths out short bursts. Default thresholds scale with the CPU count.
local cpus = last.metrics.cpus or 1
local warn = tonumber(vars.load_warn) or 2 * cpus
local crit = tonumber(vars.load_crit) or 4 * cpus
local load5 = last.metrics.load5
if load5 >= crit then
    return "major"
elseif load5 >= warn then
    return "minor"
end
return "ok"
