-- systemd unit state through
--   systemctl show -p LoadState,ActiveState,SubState,UnitFileState -- NAME
-- which prints KEY=VALUE lines and succeeds even for units that do not exist
-- (LoadState=not-found). Windows services are not implemented: see README.md.
local name = prophasis.args.name
local systemctl = prophasis.args.systemctl
local COMMAND_TIMEOUT_MS = 10000

if prophasis.os and prophasis.os.name and prophasis.os.name ~= "linux" then
    return { value = nil, message = "service state is implemented for systemd on Linux only, not for "
        .. tostring(prophasis.os.name) }
end
if name == "" then
    return { value = nil, message = "the argument 'name' is empty" }
end

local ok, r, err = pcall(prophasis.run, { systemctl, "show", "-p", "LoadState,ActiveState,SubState,UnitFileState",
    "--", name }, { timeout_ms = COMMAND_TIMEOUT_MS })
if not ok or not r then
    return { value = nil, message = "cannot run " .. systemctl .. ": " .. tostring(ok and err or r) }
end
if r.timed_out then
    return { value = nil, message = systemctl .. " did not answer within " .. COMMAND_TIMEOUT_MS // 1000 .. " s" }
end
if r.exit_code ~= 0 then
    local why = (r.stderr or ""):match("^%s*([^\n]*)") or ""
    if why == "" then
        why = r.exit_code and ("exit code " .. r.exit_code) or ("killed by signal " .. tostring(r.signal))
    end
    return { value = nil, message = name .. ": " .. systemctl .. " failed: " .. why }
end

local p = {}
for key, value in (r.stdout or ""):gmatch("(%a+)=([^\n]*)") do
    p[key] = value
end
if not p.LoadState or not p.ActiveState then
    return { value = nil, message = name .. ": unexpected output of systemctl show" }
end

local ENABLED = { enabled = true, ["enabled-runtime"] = true, static = true, indirect = true, generated = true,
    alias = true, linked = true, ["linked-runtime"] = true, transient = true }
local active = p.ActiveState == "active" or p.ActiveState == "reloading"
local metrics = {
    active = active and 1 or 0,
    loaded = p.LoadState == "loaded" and 1 or 0,
    failed = p.ActiveState == "failed" and 1 or 0,
    transitioning = (p.ActiveState == "activating" or p.ActiveState == "deactivating") and 1 or 0,
    enabled = ENABLED[p.UnitFileState or ""] and 1 or 0,
}

local message
if p.LoadState == "not-found" then
    message = name .. ": no such unit"
elseif p.LoadState == "masked" then
    message = name .. " is masked (" .. p.ActiveState .. ")"
else
    message = string.format("%s %s (%s)", name, p.ActiveState, p.SubState or "?")
    if p.LoadState ~= "loaded" then
        message = message .. ", load state " .. p.LoadState
    end
    if p.UnitFileState and p.UnitFileState ~= "" then
        message = message .. ", " .. p.UnitFileState
    end
end
return { value = active and 1 or 0, message = message, metrics = metrics }
