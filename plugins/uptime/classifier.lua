-- Default classifier of org.prophasis.uptime (contract: docs/PLUGIN_GUIDE.md).
local verdict = failureRule() -- failed runs and missing values first (docs/PLUGIN_GUIDE.md)
if verdict then
    return verdict
end
local n = #results
local last = results[n]

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
