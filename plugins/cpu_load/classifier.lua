-- Default classifier of org.prophasis.cpu_load (contract: docs/PLUGIN_GUIDE.md).
local verdict = failureRule() -- failed runs and missing values first (docs/PLUGIN_GUIDE.md)
if verdict then
    return verdict
end
local n = #results
local last = results[n]

-- Judge the average over the successful runs in the window, so one busy minute does not alert.
local warn = tonumber(vars.cpu_load_warn) or 100
local crit = tonumber(vars.cpu_load_crit) or 200
local load = arrayAvg(results, function(r)
    return r.type == "success" and r.value or nil
end)
if load >= crit then
    return "major"
elseif load >= warn then
    return "minor"
end
return "ok"
