-- Default classifier of org.prophasis.service (contract: docs/PLUGIN_GUIDE.md).
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

local CLASSES = { ok = true, minor = true, major = true, critical = true }
local m = last.metrics
if last.value >= 1 then
    return "ok"
elseif (m.loaded or 1) == 0 then
    return "critical" -- no such unit, or masked
elseif (m.failed or 0) == 1 then
    return "critical"
elseif (m.transitioning or 0) == 1 then
    return "minor" -- starting or stopping (also systemd's auto-restart)
end
-- Inactive: wrong for a daemon, normal for a oneshot unit that has finished.
local inactive = vars.service_inactive
if inactive ~= nil and CLASSES[inactive] then
    return inactive
end
return "critical"
