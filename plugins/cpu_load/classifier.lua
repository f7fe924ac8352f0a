-- Default classifier of org.prophasis.cpu_load (contract: docs/PLUGIN_GUIDE.md).
local n = #results
local last = results[n]
if last == nil then
    return "unknown"
end
if last.type ~= "success" then
    if n >= 2 and results[n - 1].type ~= "success" then
        return "critical" -- two or more failed runs in a row
    end
    return "unknown"
end
if last.value == nil then
    return "unknown"
end

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
