-- Default classifier of org.prophasis.uptime (contract: docs/PLUGIN_GUIDE.md).
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

-- A reboot is worth a look: the uptime is short, or lower than at an earlier run in the window
-- (which also catches a reboot between two runs far apart).
local minimum = tonumber(vars.uptime_min) or 900
if last.value < minimum then
    return "minor"
end
for i = n - 1, 1, -1 do
    local r = results[i]
    if r.type == "success" and r.value ~= nil then
        if last.value < r.value then
            return "minor"
        end
        break
    end
end
return "ok"
