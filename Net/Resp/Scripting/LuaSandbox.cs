namespace ThunderDb.Net.Resp.Scripting;

/// <summary>
/// The Lua environment scripts see, as Redis 7.0 builds it: the base, table, string and math libraries plus
/// <c>bit</c> and the <c>redis</c> API, without <c>os</c>, <c>io</c>, <c>debug</c>, <c>package</c>, <c>require</c>,
/// <c>load</c>/<c>loadstring</c>, <c>dofile</c>/<c>loadfile</c> or <c>string.dump</c>; every global and library
/// table read-only ("Attempt to modify a readonly table"), an unknown global an error.
/// </summary>
/// <remarks>
/// The prelude runs once per Lua state with the host functions (C# <c>[UnmanagedCallersOnly]</c> callbacks that
/// never raise) as its argument; the <c>redis.*</c> wrappers here turn their error results into Lua errors, so a
/// Lua error never unwinds through managed frames. Scripts run with <c>_ENV</c> set to a proxy of the visible
/// globals, so nothing a script does survives it (Redis 7's global protection).
/// </remarks>
internal static class LuaSandbox
{
    public const string Prelude = """
local host = ...
local G = _G
local dbg = debug
local error, type, tostring, setmetatable, rawset, select, xpcall = error, type, tostring, setmetatable, rawset, select, xpcall
local sfind, ssub, sgsub = string.find, string.sub, string.gsub
local cmd, sha1, log, setresp = host.cmd, host.sha1, host.log, host.setresp
local yield = coroutine.yield
local math, string, table, pairs, ipairs, tonumber, pcall = math, string, table, pairs, ipairs, tonumber, pcall

local function readonly(t)
  return setmetatable({}, {__index = t, __newindex = function() error('Attempt to modify a readonly table', 2) end, __metatable = false})
end

local function trim(s)
  s = sgsub(s, '^[\r\n]+', '')
  s = sgsub(s, '[\r\n]+$', '')
  return s
end

local function errtable(s)
  local code, msg
  if ssub(s, 1, 1) == '-' then
    local sp = sfind(s, ' ', 1, true)
    if sp then code = ssub(s, 2, sp - 1); msg = ssub(s, sp + 1) else code = 'ERR'; msg = ssub(s, 2) end
  else
    code = 'ERR'; msg = s
  end
  return {err = code .. ' ' .. trim(msg)}
end

local redis = {}
-- cmd returns the reply, plus true (an error to raise) or 2 (the transaction failed under the script: stop it, unseen)
function redis.call(...)
  local r, raise = cmd(true, ...)
  if raise == 2 then yield() end
  if raise then error(r) end
  return r
end
function redis.pcall(...)
  local r, raise = cmd(false, ...)
  if raise == 2 then yield() end
  return r
end
function redis.error_reply(...)
  local s = ...
  if select('#', ...) ~= 1 or type(s) ~= 'string' then return errtable('wrong number or type of arguments') end
  if ssub(s, 1, 1) ~= '-' then s = '-' .. s end
  return errtable(s)
end
function redis.status_reply(...)
  local s = ...
  if select('#', ...) ~= 1 or type(s) ~= 'string' then return errtable('wrong number or type of arguments') end
  return {ok = s}
end
function redis.sha1hex(...)
  if select('#', ...) ~= 1 then error(errtable('wrong number of arguments')) end
  return sha1(...)
end
function redis.log(...)
  local n = select('#', ...)
  if n < 2 then error(errtable('redis.log() requires two arguments or more.')) end
  local level = ...
  if type(level) ~= 'number' and not (type(level) == 'string' and tonumber(level)) then
    error(errtable('First argument must be a number (log level).'))
  end
  level = tonumber(level)
  if level < 0 or level > 3 then error(errtable('Invalid debug level.')) end
  local parts = {}
  for i = 2, n do
    local v = select(i, ...)
    local t = type(v)
    if t == 'string' or t == 'number' then parts[#parts + 1] = tostring(v) end
  end
  log(level, table.concat(parts, ' '))
end
function redis.setresp(...)
  if select('#', ...) ~= 1 then error(errtable('redis.setresp() requires one argument.')) end
  local v = tonumber((...))
  if v ~= 2 and v ~= 3 then error(errtable('RESP version must be 2 or 3.')) end
  setresp(v)
end
function redis.set_repl(...)
  if select('#', ...) ~= 1 then error(errtable('redis.set_repl() requires one argument.')) end
  local v = tonumber((...))
  if not v or v < 0 or v > 3 then error(errtable('Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.')) end
end
function redis.replicate_commands() return true end
function redis.breakpoint() return false end
function redis.debug() end
redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING = 0, 1, 2, 3
redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL = 0, 1, 2, 2, 3
redis.REDIS_VERSION, redis.REDIS_VERSION_NUM = '7.0.0', 0x070000

-- LuaBitOp (Lua 5.1's bit library, 32-bit signed results) over Lua 5.4's integer operators.
local bit = {}
local function tobit(x)
  x = math.tointeger(x) or math.floor(x + 0.5)
  x = x & 0xffffffff
  if x >= 0x80000000 then x = x - 0x100000000 end
  return x
end
bit.tobit = tobit
function bit.bnot(x) return tobit(~tobit(x)) end
function bit.band(x, ...) x = tobit(x) for i = 1, select('#', ...) do x = x & tobit((select(i, ...))) end return tobit(x) end
function bit.bor(x, ...) x = tobit(x) for i = 1, select('#', ...) do x = x | tobit((select(i, ...))) end return tobit(x) end
function bit.bxor(x, ...) x = tobit(x) for i = 1, select('#', ...) do x = x ~ tobit((select(i, ...))) end return tobit(x) end
function bit.lshift(x, n) return tobit((tobit(x) & 0xffffffff) << (tobit(n) & 31)) end
function bit.rshift(x, n) return tobit((tobit(x) & 0xffffffff) >> (tobit(n) & 31)) end
function bit.arshift(x, n) return tobit(tobit(x) // (1 << (tobit(n) & 31))) end
function bit.rol(x, n) x = tobit(x) & 0xffffffff; n = tobit(n) & 31; return tobit((x << n) | (x >> (32 - n))) end
function bit.ror(x, n) x = tobit(x) & 0xffffffff; n = tobit(n) & 31; return tobit((x >> n) | (x << (32 - n))) end
function bit.bswap(x)
  x = tobit(x) & 0xffffffff
  return tobit(((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >> 8) & 0xff00) | (x >> 24))
end
function bit.tohex(x, n)
  n = n or 8
  local upper = n < 0
  if upper then n = -n end
  local s = string.format(upper and '%08X' or '%08x', tobit(x) & 0xffffffff)
  return ssub(s, 9 - n)
end

local strings = {}
for k, v in pairs(string) do strings[k] = v end
strings.dump = nil

local function nonexistent(_, k)
  error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2)
end

-- Redis's pcall: an error table caught from redis.call comes back as its message string.
local function rpcall(f, ...)
  return (function(ok, ...)
    if ok then return true, ... end
    local e = ...
    if type(e) == 'table' and type(e.err) == 'string' then e = e.err end
    return false, e
  end)(pcall(f, ...))
end

local function globals()
  local visible = {
    assert = assert, error = error, getmetatable = getmetatable, ipairs = ipairs, next = next, pairs = pairs,
    pcall = rpcall, rawequal = rawequal, rawget = rawget, rawlen = rawlen, rawset = rawset, select = select,
    setmetatable = setmetatable, tonumber = tonumber, tostring = tostring, type = type, xpcall = xpcall,
    unpack = table.unpack, _VERSION = _VERSION,
    string = readonly(strings), table = readonly(table), math = readonly(math), bit = readonly(bit),
    redis = readonly(redis),
  }
  setmetatable(visible, {__index = nonexistent, __metatable = false})
  local env = readonly(visible)
  rawset(visible, '_G', env)
  return visible, env
end
local visible, env = globals()
local _, fenv = globals()

local function handler(err)
  local where
  for level = 2, 40 do
    local i = dbg.getinfo(level, 'Sl')
    if not i then break end
    if i.what ~= 'C' and (i.source == '@user_script' or i.source == '@user_function') then where = i break end
  end
  if type(err) ~= 'table' then err = {err = 'ERR ' .. tostring(err)} end
  if where then err.source = where.source; err.line = where.currentline end
  return err
end

local load = load
local smeta = getmetatable('')
smeta.__index = readonly(strings)
smeta.__metatable = false
G.os, G.io, G.package, G.require, G.debug, G.dofile, G.loadfile, G.load, G.coroutine, G.utf8 = nil
local api = {}
function api.compile(body, chunkname) return load(body, chunkname, 't', env) end
function api.eval(f, keys, argv)
  rawset(visible, 'KEYS', keys)
  rawset(visible, 'ARGV', argv)
  local ok, r = xpcall(f, handler)
  return ok, r
end
function api.fcall(f, keys, args)
  local ok, r = xpcall(f, handler, keys, args)
  return ok, r
end

-- FUNCTION LOAD: the library chunk runs once with redis.register_function; it may not call Redis.
function api.loadlibrary(body)
  local registered = {}
  local libredis = {log = redis.log, LOG_DEBUG = 0, LOG_VERBOSE = 1, LOG_NOTICE = 2, LOG_WARNING = 3,
    REDIS_VERSION = redis.REDIS_VERSION, REDIS_VERSION_NUM = redis.REDIS_VERSION_NUM}
  local known = {['no-writes'] = true, ['allow-oom'] = true, ['allow-stale'] = true, ['no-cluster'] = true, ['allow-cross-slot-keys'] = true}
  function libredis.register_function(...)
    local n = select('#', ...)
    local name, callback, flags
    if n == 1 and type((...)) == 'table' then
      local t = ...
      for k in pairs(t) do
        if k ~= 'function_name' and k ~= 'callback' and k ~= 'flags' and k ~= 'description' then
          error(errtable('unknown argument given to redis.register_function'))
        end
      end
      name, callback, flags = t.function_name, t.callback, t.flags
      if name == nil then error(errtable('redis.register_function must get a function name argument')) end
      if callback == nil then error(errtable('redis.register_function must get a callback argument')) end
    elseif n == 2 then
      name, callback = ...
    else
      error(errtable('wrong number of arguments to redis.register_function'))
    end
    if type(name) ~= 'string' then
      error(errtable(n == 1 and 'function_name argument given to redis.register_function must be a string' or 'first argument to redis.register_function must be a string'))
    end
    if type(callback) ~= 'function' then
      error(errtable(n == 1 and 'callback argument given to redis.register_function must be a function' or 'second argument to redis.register_function must be a function'))
    end
    if not sfind(name, '^[%w_]+$') then
      error(errtable('Library names can only contain letters, numbers, or underscores(_) and must be at least one character long'))
    end
    local list = {}
    if flags ~= nil then
      if type(flags) ~= 'table' then error(errtable('flags argument to redis.register_function must be a table representing function flags')) end
      for _, f in ipairs(flags) do
        if type(f) ~= 'string' or not known[f] then error(errtable('unknown flag given')) end
        list[#list + 1] = f
      end
    end
    for _, r in ipairs(registered) do
      if r.name == name then error(errtable('Function already exists in the library')) end
    end
    registered[#registered + 1] = {name = name, callback = callback, flags = list}
  end
  setmetatable(libredis, {__index = nonexistent, __metatable = false})
  local loadenv = readonly(setmetatable({redis = readonly(libredis)}, {__index = nonexistent, __metatable = false}))
  local chunk, err = load(body, '@user_function', 't', loadenv)
  if not chunk then return nil, 'Error compiling function: ' .. tostring(err) end
  local ok, e = xpcall(chunk, handler)
  if not ok then
    local msg = type(e) == 'table' and e.err or tostring(e)
    return nil, 'Error registering functions: ' .. tostring(msg)
  end
  dbg.setupvalue(chunk, 1, fenv) -- the library's functions share the chunk's _ENV: from now on they see the run-time globals
  return registered
end

for k in pairs(G) do G[k] = nil end
return api
""";
}
