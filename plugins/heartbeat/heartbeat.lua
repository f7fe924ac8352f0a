-- Heartbeat: if this runs at all, the agent is alive. It touches nothing on the host, so it
-- works on every platform the agent runs on.
local hostname = prophasis.os and prophasis.os.hostname
local message = "alive"
if type(hostname) == "string" and hostname ~= "" then
    message = hostname .. " is alive"
end
return { value = 1, message = message }
