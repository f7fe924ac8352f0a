-- Default classifier of org.prophasis.smart (contract: docs/PLUGIN_GUIDE.md).
local verdict = failureRule() -- failed runs and missing values first (docs/PLUGIN_GUIDE.md)
if verdict then
    return verdict
end
local n = #results
local last = results[n]
-- (No value: smartctl missing, device not opened, no SMART; the message says which.)

local SEVERITY = { ok = 0, minor = 1, major = 2, critical = 3 }
local verdict = "ok"
local function raise(c)
    if SEVERITY[c] > SEVERITY[verdict] then
        verdict = c
    end
end
local m = last.metrics
local function number(name, default)
    return tonumber(vars[name]) or default
end

-- The disk's own verdict, or an attribute failing now, or an NVMe critical warning.
if last.value >= 1 or (m.prefail_below_threshold or 0) > 0 or (m.failing_attributes or 0) > 0
    or (m.critical_warning or 0) ~= 0 then
    return "critical"
end

-- Sectors the disk could not read: data at risk now.
local unreadable = (m.pending_sectors or 0) + (m.offline_uncorrectable or 0) + (m.media_errors or 0)
if unreadable >= number("smart_pending_warn", 1) then
    raise("major")
end

-- Remapped sectors: a few are normal wear, many (or a growing number) mean a dying disk.
local realloc = m.reallocated_sectors or 0
if realloc >= number("smart_realloc_crit", 100) then
    raise("major")
elseif realloc >= number("smart_realloc_warn", 1) then
    raise("minor")
end
local first
for i = 1, n do
    local r = results[i]
    if r.type == "success" and r.metrics.reallocated_sectors ~= nil then
        first = r.metrics.reallocated_sectors
        break
    end
end
if first and realloc > first then
    raise("major") -- still growing within the window
end

local temperature = m.temperature
if temperature then
    if temperature >= number("smart_temp_crit", 65) then
        raise("major")
    elseif temperature >= number("smart_temp_warn", 55) then
        raise("minor")
    end
end

if (m.percentage_used or 0) >= number("smart_wear_warn", 90) then
    raise("minor") -- an SSD near the end of its rated life
end
if (m.below_threshold_in_past or 0) > 0 then
    raise("minor")
end
return verdict
