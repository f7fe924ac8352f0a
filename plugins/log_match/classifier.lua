-- Default classifier of org.prophasis.log_match (contract: docs/PLUGIN_GUIDE.md).
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

-- The value counts lines new since the previous run, so only the latest result matters.
local warn = tonumber(vars.log_match_warn) or 1
local crit = tonumber(vars.log_match_crit) or 10
if last.value >= crit then
    return "major"
elseif last.value >= warn then
    return "minor"
end
return "ok"
