-- Default classifier of org.prophasis.service (contract: docs/PLUGIN_GUIDE.md).
local verdict = failureRule() -- failed runs and missing values first (docs/PLUGIN_GUIDE.md)
if verdict then
    return verdict
end
local n = #results
local last = results[n]

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
