#include "auth/sigv4_test_vectors.h"

namespace nightshift::auth::testing {
namespace {

constexpr char kEmptyHash[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr char kHost[] = "127.0.0.1:8765";
constexpr char kTagsPath[] = "/v1/tags/arn%3Aaws%3Abatch%3Aus-east-1%3A123456789012%3Ajob-queue%2Fq1";
constexpr char kCanonicalTagsPath[] =
    "/v1/tags/arn%253Aaws%253Abatch%253Aus-east-1%253A123456789012%253Ajob-queue%252Fq1";

std::string Authorization(const std::string& scope, const std::string& signed_headers, const std::string& signature) {
  return "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/" + scope + "/aws4_request, SignedHeaders=" + signed_headers +
         ", Signature=" + signature;
}

CapturedRequest SubmitJob() {
  CapturedRequest r{"submitjob.v1", "POST", "/v1/submitjob", "", {}, "", "batch", 1795739683, "", "", ""};
  r.body = R"({"jobName": "j1", "jobQueue": "q1", "jobDefinition": "jd1", "parameters": {"msg": "hello"}, )"
           R"("containerOverrides": {"command": ["echo", "Ref::msg"], "environment": [{"name": "A", "value": "b"}]}})";
  r.signature = "4ffe9ed864de35828579d65b0ed9804d1de11674aa160f1334a1afab42910155";
  r.headers = {{"host", kHost},
               {"accept-encoding", "identity"},
               {"content-type", "application/json"},
               {"user-agent", "aws-cli/1.45.11 md/Botocore#1.43.11 ua/2.1 botocore/1.43.11"},
               {"x-amz-date", "20261127T003443Z"},
               {"authorization", Authorization("20261127/us-east-1/batch", "content-type;host;x-amz-date", r.signature)},
               {"amz-sdk-invocation-id", "bf667041-5cae-45ae-8cc9-678a7cf5c6d9"},
               {"amz-sdk-request", "attempt=1"},
               {"content-length", "194"}};
  r.canonical_request =
      "POST\n/v1/submitjob\n\ncontent-type:application/json\nhost:127.0.0.1:8765\nx-amz-date:20261127T003443Z\n\n"
      "content-type;host;x-amz-date\n1faa88e58d54518243ccd3b3fea9ea1a7c051ca7261efdaff8630ac17c958be7";
  r.signing_key_hex = "6a232e40e6afe55f681fb30bd4c0f06f9841e418d6d88dcb9e574bc76c6f2e98";
  return r;
}

CapturedRequest ListTags() {
  CapturedRequest r{"listtags.v1", "GET", kTagsPath, "", {}, "", "batch", 1795739689, "", "", ""};
  r.signature = "d22922aea252bb0c984de0c677724d9d3371baa4406b1a598235f11c8cc863a5";
  r.headers = {{"host", kHost},
               {"accept-encoding", "identity"},
               {"x-amz-date", "20261127T003449Z"},
               {"authorization", Authorization("20261127/us-east-1/batch", "host;x-amz-date", r.signature)}};
  r.canonical_request = std::string("GET\n") + kCanonicalTagsPath +
                        "\n\nhost:127.0.0.1:8765\nx-amz-date:20261127T003449Z\n\nhost;x-amz-date\n" + kEmptyHash;
  r.signing_key_hex = "6a232e40e6afe55f681fb30bd4c0f06f9841e418d6d88dcb9e574bc76c6f2e98";
  return r;
}

CapturedRequest Untag() {
  CapturedRequest r{"untag.v2", "DELETE", kTagsPath, "tagKeys=k1&tagKeys=k2", {}, "", "batch", 1795739696, "", "", ""};
  r.signature = "46f55021488429e2d5a1275e7a23f2d26e337bab515adf3eaaa38c21b1c3c4b2";
  r.headers = {{"host", kHost},
               {"accept-encoding", "identity"},
               {"user-agent", "aws-cli/2.9.19 Python/3.11.2 command/batch.untag-resource"},
               {"x-amz-date", "20261127T003456Z"},
               {"authorization", Authorization("20261127/us-east-1/batch", "host;x-amz-date", r.signature)},
               {"content-length", "0"}};
  r.canonical_request = std::string("DELETE\n") + kCanonicalTagsPath +
                        "\ntagKeys=k1&tagKeys=k2\nhost:127.0.0.1:8765\nx-amz-date:20261127T003456Z\n\nhost;x-amz-date\n" +
                        kEmptyHash;
  r.signing_key_hex = "6a232e40e6afe55f681fb30bd4c0f06f9841e418d6d88dcb9e574bc76c6f2e98";
  return r;
}

CapturedRequest GetLogEvents() {
  CapturedRequest r{"getlogevents.v2", "POST", "/", "", {}, "", "logs", 1795739709, "", "", ""};
  r.body = R"({"logGroupName": "/aws/batch/job", "logStreamName": "jd1/default/abc", "startFromHead": true})";
  r.signature = "6d33adbdb08cc348f3b816698d87fe6673db698027a866cfb52842f52c0b333d";
  r.headers = {{"host", kHost},
               {"accept-encoding", "identity"},
               {"x-amz-target", "Logs_20140328.GetLogEvents"},
               {"content-type", "application/x-amz-json-1.1"},
               {"x-amz-date", "20261127T003509Z"},
               {"authorization", Authorization("20261127/us-east-1/logs", "content-type;host;x-amz-date;x-amz-target",
                                               r.signature)},
               {"content-length", "93"}};
  r.canonical_request =
      "POST\n/\n\ncontent-type:application/x-amz-json-1.1\nhost:127.0.0.1:8765\nx-amz-date:20261127T003509Z\n"
      "x-amz-target:Logs_20140328.GetLogEvents\n\ncontent-type;host;x-amz-date;x-amz-target\n"
      "051f07706629c01db43ef3ab4b553b8b11bcaccbbad231d8113e0a72b5beb1bb";
  r.signing_key_hex = "7584698bf89e386024d9e032dff636c4fc2c243803e7f0163c38693a28aae753";
  return r;
}

CapturedRequest CreateSchedule() {
  CapturedRequest r{"createsched.v1", "POST", "/schedules/s1", "", {}, "", "scheduler", 1795739761, "", "", ""};
  r.body =
      R"({"ActionAfterCompletion": "NONE", "EndDate": 1924992000, "FlexibleTimeWindow": {"Mode": "OFF"}, )"
      R"j("ScheduleExpression": "cron(0 12 * * ? *)", "ScheduleExpressionTimezone": "Europe/Berlin", )j"
      R"("StartDate": 1893456000, "Target": {"Arn": "arn:aws:scheduler:::aws-sdk:batch:submitJob", )"
      R"("RoleArn": "arn:aws:iam::123456789012:role/r", )"
      R"("Input": "{\"JobName\":\"n\",\"JobQueue\":\"q1\",\"JobDefinition\":\"jd1\"}", )"
      R"("RetryPolicy": {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 3600}}, )"
      R"("ClientToken": "b8617379-dc4b-4fc3-8679-c2bd479128cf"})";
  r.signature = "281c7dac4876e117f1ed687c0875bb770192d99182e5781a9f1531ceba6e6000";
  r.headers = {{"host", kHost},
               {"content-type", "application/json"},
               {"x-amz-date", "20261127T003601Z"},
               {"authorization", Authorization("20261127/us-east-1/scheduler", "content-type;host;x-amz-date",
                                               r.signature)},
               {"content-length", "535"}};
  r.canonical_request =
      "POST\n/schedules/s1\n\ncontent-type:application/json\nhost:127.0.0.1:8765\nx-amz-date:20261127T003601Z\n\n"
      "content-type;host;x-amz-date\n09675ab9dc122ade394ab00b03945484890927961e6ae1d69f5732cec79005be";
  r.signing_key_hex = "397bd297604438c9a9478f419650adea325dbadab6d73096c214e3f16b1c23b0";
  return r;
}

CapturedRequest DeleteSchedule() {
  CapturedRequest r{"deletesched.v1", "DELETE", "/schedules/s1", "clientToken=ab23c7aa-88c2-4185-920a-68a389e216b8",
                    {}, "", "scheduler", 1795739705, "", "", ""};
  r.signature = "27bff6d5b5a85a3da440fe7abf4e230eaa68a4273bbfa8bf9485eb1049933d2e";
  r.headers = {{"host", kHost},
               {"x-amz-date", "20261127T003505Z"},
               {"authorization", Authorization("20261127/us-east-1/scheduler", "host;x-amz-date", r.signature)},
               {"content-length", "0"}};
  r.canonical_request = std::string(
                            "DELETE\n/schedules/s1\nclientToken=ab23c7aa-88c2-4185-920a-68a389e216b8\n"
                            "host:127.0.0.1:8765\nx-amz-date:20261127T003505Z\n\nhost;x-amz-date\n") +
                        kEmptyHash;
  r.signing_key_hex = "397bd297604438c9a9478f419650adea325dbadab6d73096c214e3f16b1c23b0";
  return r;
}

CapturedRequest ListSchedulesWithToken() {
  CapturedRequest r{"listsched_token.boto3", "GET", "/schedules", "NextToken=abc%2B%2F%3D%20def&MaxResults=10&State=DISABLED",
                    {}, "", "scheduler", 1795739755, "", "", ""};
  r.signature = "d5a6fa436197a250e7645aa773ff17b0cce623571cf36e227b8061edd9f7bd7b";
  r.headers = {{"host", kHost},
               {"x-amz-date", "20261127T003555Z"},
               {"x-amz-security-token", kExampleSessionToken},
               {"authorization", Authorization("20261127/eu-west-1/scheduler", "host;x-amz-date;x-amz-security-token",
                                               r.signature)}};
  r.canonical_request = std::string(
                            "GET\n/schedules\nMaxResults=10&NextToken=abc%2B%2F%3D%20def&State=DISABLED\n"
                            "host:127.0.0.1:8765\nx-amz-date:20261127T003555Z\n"
                            "x-amz-security-token:FwoGZXIvYXdzEXAMPLETOKEN+/=\n\n"
                            "host;x-amz-date;x-amz-security-token\n") +
                        kEmptyHash;
  r.signing_key_hex = "4b3a404b38fd7fdddcd84673ae7a67296ecf00f14d66ff6035f8bd3cb17fcba6";
  return r;
}

}  // namespace

const std::map<std::string, CapturedRequest>& CapturedRequests() {
  static const auto* kRequests = [] {
    auto* m = new std::map<std::string, CapturedRequest>;
    for (CapturedRequest r : {SubmitJob(), ListTags(), Untag(), GetLogEvents(), CreateSchedule(), DeleteSchedule(),
                              ListSchedulesWithToken()}) {
      m->emplace(r.name, std::move(r));
    }
    return m;
  }();
  return *kRequests;
}

}  // namespace nightshift::auth::testing
