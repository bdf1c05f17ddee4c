-- quarry: the Lua face of the quarry text-corpus engine.
local core = require "quarry.core"

local quarry = {}
quarry._VERSION = "quarry " .. core.version
quarry.api_level = 1

return quarry
