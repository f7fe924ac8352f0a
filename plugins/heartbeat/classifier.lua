-- Default classifier of org.prophasis.heartbeat (contract: docs/PLUGIN_GUIDE.md).
local n = #results
local last = results[n]
if last == nil then
    return "unknown"
end
if last.type ~= "success" then
    if n >= 2 and results[n - 1].type ~= "success" then
        return "critical" -- two or more failed runs in a row: the host is down
    end
    return "unknown" -- a single failure may be a network blip
end
if last.value == nil then
    return "unknown"
end

-- Anything but 1 would mean a broken agent.
if last.value == 1 then
    return "ok"
end
return "unknown"
