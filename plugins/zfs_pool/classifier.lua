-- Default classifier of org.prophasis.zfs_pool (contract: docs/PLUGIN_GUIDE.md).
local verdict = failureRule() -- failed runs and missing values first (docs/PLUGIN_GUIDE.md)
if verdict then
    return verdict
end
local n = #results
local last = results[n]
-- (No value: zpool missing, failing or hung; the message says which.)

local CLASSES = { ok = true, minor = true, major = true, critical = true }
local SEVERITY = { ok = 0, minor = 1, major = 2, critical = 3 }
local function class(name, default)
    local v = vars[name]
    if v ~= nil and CLASSES[v] then
        return v
    end
    return default
end

local m = last.metrics
local verdict = "ok"
local function raise(c)
    if SEVERITY[c] > SEVERITY[verdict] then
        verdict = c
    end
end

if (m.faulted or 0) > 0 then
    raise("critical") -- FAULTED, UNAVAIL, SUSPENDED …: data is not reachable
end
local degraded, resilvering = m.degraded or 0, m.resilvering or 0
if degraded > resilvering then
    raise(class("zfs_degraded", "critical"))
elseif degraded > 0 then
    raise(class("zfs_resilvering", "major"))
end
if (m.with_errors or 0) > 0 then
    raise(class("zfs_errors", "minor")) -- ONLINE, but a device had read/write/checksum errors
end

-- ZFS slows down badly when nearly full.
local warn = tonumber(vars.zfs_cap_warn) or 80
local crit = tonumber(vars.zfs_cap_crit) or 90
local cap = m.max_cap or 0
if cap >= crit then
    raise("major")
elseif cap >= warn then
    raise("minor")
end
return verdict
