-- SMART disk health through `smartctl -H -A [-d TYPE] DEVICE` (smartmontools 7). Three output
-- families: ATA ("self-assessment test result: PASSED" plus the attribute table), SCSI/SAS
-- ("SMART Health Status: OK", temperature, grown defect list) and NVMe (the health log).
-- smartctl's exit status is a bit mask (smartctl(8), "RETURN VALUES"):
--   bit 0 command line not accepted   bit 1 device open failed / no IDENTIFY / low-power mode
--   bit 2 a SMART command failed      bit 3 SMART status says DISK FAILING
--   bit 4 pre-fail attribute at or below threshold now
--   bit 5 some attribute was at or below threshold in the past
--   bits 6/7 error and self-test logs (not read with -H -A)
local device = prophasis.args.device
local deviceType = prophasis.args.device_type
local smartctl = prophasis.args.smartctl
local COMMAND_TIMEOUT_MS = 20000

if device == "" or device:sub(1, 1) == "-" then
    return { value = nil, message = "the argument 'device' must name a device such as /dev/sda" }
end

local argv = { smartctl, "-H", "-A" }
local label = device
if deviceType ~= "" then
    argv[#argv + 1] = "-d"
    argv[#argv + 1] = deviceType
    label = device .. " [" .. deviceType .. "]"
end
argv[#argv + 1] = device

local ok, r, err = pcall(prophasis.run, argv, { timeout_ms = COMMAND_TIMEOUT_MS })
if not ok or not r then
    return { value = nil, message = "cannot run " .. smartctl .. ": " .. tostring(ok and err or r) }
end
if r.timed_out then
    return { value = nil, message = label .. ": smartctl did not answer within " .. COMMAND_TIMEOUT_MS // 1000 .. " s" }
end
local out = (r.stdout or "") .. "\n" .. (r.stderr or "")
local code = r.exit_code
if code == nil then
    return { value = nil, message = label .. ": smartctl was killed by signal " .. tostring(r.signal) }
end
if code < 0 or code > 255 or code == 127 then
    return { value = nil, message = "cannot run " .. smartctl .. " (exit code " .. tostring(code) .. ")" }
end
local function bit(n)
    return (code >> n) & 1 == 1
end

-- The last meaningful line, for messages about failures.
local function lastLine()
    local last = ""
    for line in out:gmatch("[^\n]+") do
        if not line:match("^smartctl %d") and not line:match("^Copyright") and line:match("%S") then
            last = line:match("^%s*(.-)%s*$")
        end
    end
    return last
end

if bit(0) then
    return { value = nil, message = label .. ": smartctl did not accept the command line: " .. lastLine() }
end
if bit(1) then
    local why = out:match("Smartctl open device:%s*([^\n]+)") or lastLine()
    local hint = ""
    if why:find("Permission denied", 1, true) or why:find("Operation not permitted", 1, true) then
        hint = " (the agent needs CAP_SYS_RAWIO and read access to the device; see the plugin's README)"
    end
    return { value = nil, message = label .. ": cannot open the device: " .. why .. hint }
end

local function num(s)
    if not s then
        return nil
    end
    return tonumber((s:gsub(",", "")))
end

local metrics = {}
local notes = {}
local health, failing

-- ATA and NVMe
local verdict = out:match("self%-assessment test result:%s*(%u+)")
-- SCSI / SAS
local scsi = out:match("SMART Health Status:%s*([^\n]-)%s*\n")
if verdict == "PASSED" then
    health, failing = "PASSED", false
elseif verdict == "FAILED" then
    health, failing = "FAILED", true
elseif scsi then
    failing = scsi ~= "OK"
    health = failing and ("FAILED: " .. scsi) or "OK"
end
if bit(3) and not failing then
    health, failing = "FAILED", true
end
if health == nil then
    return { value = nil, message = label .. ": no SMART health verdict" .. (bit(2) and " (a SMART command failed)" or "")
        .. ": " .. lastLine() }
end
if failing then
    local detail = out:match("FAILED!%s*\n([^\n]+)")
    if detail and not detail:match("^Failed Attributes") and not detail:match("^%s*$") then
        notes[#notes + 1] = detail
    end
end

-- ATA attribute table: ID# ATTRIBUTE_NAME FLAG VALUE WORST THRESH TYPE UPDATED WHEN_FAILED RAW_VALUE
local attrs = {}
local failingNow, failedPast = {}, {}
for line in out:gmatch("[^\n]+") do
    local id, name, value, worst, thresh, _, _, whenFailed, raw =
        line:match("^%s*(%d+)%s+(%S+)%s+0x%x+%s+(%d+)%s+(%d+)%s+(%d+)%s+(%S+)%s+(%S+)%s+(%S+)%s+(.-)%s*$")
    if id then
        id = tonumber(id)
        if not attrs[id] then
            if whenFailed == "FAILING_NOW" then
                failingNow[#failingNow + 1] = name
            elseif whenFailed == "In_the_past" then
                failedPast[#failedPast + 1] = name
            end
        end
        attrs[id] = { name = name, value = tonumber(value), worst = tonumber(worst), thresh = tonumber(thresh),
            raw = tonumber(raw:match("^(%d+)")) }
    end
end
local function raw(id)
    return attrs[id] and attrs[id].raw
end
metrics.reallocated_sectors = raw(5)
metrics.pending_sectors = raw(197)
metrics.offline_uncorrectable = raw(198)
metrics.reported_uncorrectable = raw(187)
metrics.crc_errors = raw(199)
metrics.power_on_hours = raw(9)
local temperature = raw(194) or raw(190)

-- SCSI / SAS: grown defects are blocks the drive has remapped, like ATA reallocated sectors.
if scsi then
    temperature = num(out:match("Current Drive Temperature:%s*(%d+)%s*C"))
    metrics.reallocated_sectors = num(out:match("Elements in grown defect list:%s*([%d,]+)"))
    metrics.power_on_hours = num(out:match("Accumulated power on time, hours:minutes%s*(%d+):"))
    metrics.trip_temperature = num(out:match("Drive Trip Temperature:%s*(%d+)%s*C"))
end

-- NVMe health log
if out:find("NVMe Log", 1, true) then
    temperature = num(out:match("\nTemperature:%s*(%d+)%s*Celsius"))
    metrics.critical_warning = tonumber(out:match("Critical Warning:%s*0x(%x+)") or "", 16)
    metrics.available_spare = num(out:match("Available Spare:%s*(%d+)%%"))
    metrics.available_spare_threshold = num(out:match("Available Spare Threshold:%s*(%d+)%%"))
    metrics.percentage_used = num(out:match("Percentage Used:%s*(%d+)%%"))
    metrics.media_errors = num(out:match("Media and Data Integrity Errors:%s*([%d,]+)"))
    metrics.power_on_hours = num(out:match("Power On Hours:%s*([%d,]+)"))
    if (metrics.critical_warning or 0) ~= 0 then
        notes[#notes + 1] = string.format("critical warning 0x%02x", metrics.critical_warning)
    end
end

if temperature then
    metrics.temperature = { value = temperature, unit = "°C" }
end
metrics.prefail_below_threshold = bit(4) and 1 or 0
metrics.below_threshold_in_past = bit(5) and 1 or 0
metrics.failing_attributes = #failingNow

if #failingNow > 0 then
    notes[#notes + 1] = "failing now: " .. table.concat(failingNow, ", ")
elseif bit(4) then
    notes[#notes + 1] = "a pre-fail attribute is at or below its threshold"
end
if #failedPast > 0 then
    notes[#notes + 1] = "below threshold in the past: " .. table.concat(failedPast, ", ")
elseif bit(5) then
    notes[#notes + 1] = "an attribute was below its threshold in the past"
end
if bit(2) then
    notes[#notes + 1] = "some SMART commands failed"
end

local facts = {}
if temperature then
    facts[#facts + 1] = string.format("%d °C", temperature)
end
if metrics.reallocated_sectors then
    facts[#facts + 1] = (scsi and "grown defects " or "reallocated ") .. metrics.reallocated_sectors
end
if metrics.pending_sectors then
    facts[#facts + 1] = "pending " .. metrics.pending_sectors
end
if metrics.percentage_used then
    facts[#facts + 1] = metrics.percentage_used .. " % worn"
end
if metrics.media_errors then
    facts[#facts + 1] = "media errors " .. metrics.media_errors
end

local message = label .. " " .. health
if #notes > 0 then
    message = message .. "; " .. table.concat(notes, "; ")
end
if #facts > 0 then
    message = message .. "; " .. table.concat(facts, ", ")
end
return { value = failing and 1 or 0, message = message, metrics = metrics }
