-- Default classifier of org.prophasis.disk (contract: docs/PLUGIN_GUIDE.md).
local verdict = failureRule() -- failed runs and missing values first (docs/PLUGIN_GUIDE.md)
if verdict then
    return verdict
end
local n = #results
local last = results[n]

-- Space and inodes count alike: a file system out of inodes is as full as one out of blocks.
local warn = tonumber(vars.disk_warn) or 85
local crit = tonumber(vars.disk_crit) or 95
local used = math.max(last.value, last.metrics.inodes_used_percent or 0)
if used >= 100 or (last.metrics.free == 0 and (last.metrics.size or 0) > 0) then
    return "critical" -- nothing can be written any more
elseif used >= crit then
    return "major"
elseif used >= warn then
    return "minor"
end
return "ok"
