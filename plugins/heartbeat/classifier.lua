-- Default classifier of org.prophasis.heartbeat (contract: docs/PLUGIN_GUIDE.md).
local verdict = failureRule() -- failed runs and missing values first (docs/PLUGIN_GUIDE.md)
if verdict then
    return verdict
end
local n = #results
local last = results[n]

-- Anything but 1 would mean a broken agent.
if last.value == 1 then
    return "ok"
end
return "unknown"
