// The OpenAPI components the native routes' declarations refer to ("#/components/schemas/Run",
// "#/components/parameters/limit"): the shapes several routes share — Job, Run, Schedule, Event,
// Error and their parts — as one JSON literal, next to nothing else so it reads as a reference.
// Thread-safety: a constant.
#pragma once

#include <string_view>

namespace nightshift::api {

// The "components" object of the OpenAPI document, as JSON text.
std::string_view OpenApiComponents();

}  // namespace nightshift::api
