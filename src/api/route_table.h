// RouteTable: how an API class serves its declared routes. Each class lists its routes once, as
// Route<Api> values (a RouteSpec and the member function that serves it); Serve() finds the
// route a request is for in that list and calls its handler. A path or method not in the list
// is not served, so nothing is reachable that the OpenAPI document does not describe.
// Thread-safety: as the API class; the lists are constant.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "api/answer.h"
#include "api/json_reader.h"
#include "api/json_text.h"
#include "api/route.h"

namespace nightshift::api {

// A route answers either with JSON (a JsonHandler; sent by Answer(), after the commit when the
// method changes something) or by itself (a RawHandler: streams, plain text, special errors).
template <typename Api>
using JsonHandler = Result<Json> (Api::*)(const RouteCall& call);
template <typename Api>
using RawHandler = void (Api::*)(const RouteCall& call, const Respond& respond);

template <typename Api>
struct Route {
  RouteSpec spec;
  JsonHandler<Api> json = nullptr;
  RawHandler<Api> raw = nullptr;
};

// How an API's JSON answers are sent: the engine to wait on, the service that names errors.
struct JsonAnswers {
  engine::Engine& engine;
  AwsService service;
};

// Sends `result`: its JSON once durable if `mutates`, else at once; an error as the service
// names it.
inline void AnswerJson(const JsonAnswers& answers, Result<Json> result, bool mutates,
                       const Respond& respond) {
  Answer(answers.engine, answers.service,
         result.ok() ? Result<std::string>(JsonText(*result)) : result.status(),
         mutates, respond);
}

// Serves `request` with the first route of `routes` whose method and path fit it; false, and
// `respond` not called, if none does.
template <typename Api>
bool Serve(Api& api, std::span<const Route<Api>> routes, const JsonAnswers& answers,
           const HttpRequest& request, const Respond& respond) {
  for (const Route<Api>& route : routes) {
    if (route.spec.method != request.method) continue;
    std::optional<PathParams> params = MatchPath(route.spec.path, request.path);
    if (!params) continue;
    const RouteCall call{request, std::move(*params)};
    if (route.raw) {
      (api.*route.raw)(call, respond);
      return true;
    }
    AnswerJson(answers, (api.*route.json)(call), request.method != "GET", respond);
    return true;
  }
  return false;
}

template <typename Api>
std::vector<RouteSpec> SpecsOf(std::span<const Route<Api>> routes) {
  std::vector<RouteSpec> specs;
  for (const Route<Api>& route : routes) specs.push_back(route.spec);
  return specs;
}

}  // namespace nightshift::api
