-- Default classifier of org.prophasis.process (contract: docs/PLUGIN_GUIDE.md).
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

local min = tonumber(vars.process_min) or 1
local max = tonumber(vars.process_max) -- no upper limit unless set
if last.value < min then
    return "critical" -- not running (or too few instances)
elseif max and last.value > max then
    return "minor"
end
return "ok"
