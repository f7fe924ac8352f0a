-- Default classifier of org.prophasis.md_raid (contract: docs/PLUGIN_GUIDE.md).
local verdict = failureRule() -- failed runs and missing values first (docs/PLUGIN_GUIDE.md)
if verdict then
    return verdict
end
local n = #results
local last = results[n]

-- Host variables may name the classification for a degraded array and for one that is
-- rebuilding onto a new disk (e.g. md_raid_degraded = major on a box whose spare is on order).
local CLASSES = { ok = true, minor = true, major = true, critical = true }
local function class(name, default)
    local v = vars[name]
    if v ~= nil and CLASSES[v] then
        return v
    end
    return default
end

local m = last.metrics
local degraded = m.degraded or last.value
local recovering = m.recovering or 0
if (m.inactive or 0) > 0 then
    return "critical" -- an array that is not running at all
elseif degraded > recovering then
    return class("md_raid_degraded", "critical")
elseif degraded > 0 then
    return class("md_raid_recovering", "major")
elseif (m.failed_members or 0) > 0 then
    return class("md_raid_failed_member", "minor") -- redundant again, but a failed disk is still in
end
return "ok"
