package io.github.trafficpolicy.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.trafficpolicy.dns.api.HostedZones;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryPolicy;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.route53.Route53Client;
import software.amazon.awssdk.services.route53.model.HostedZone;

/**
 * {@code java -jar traffic-policy.jar api}: the control plane alone on a registry directory, driven by the AWS SDK;
 * what it stores is what {@code traffic-policy record list} then reads, and SIGTERM stops it cleanly.
 */
final class ApiJarIT {
  @TempDir Path dir;

  @Test
  void apiCommand_servesTheRegistry_toTheSdk_andStopsOnSigterm() throws Exception {
    Path credentials = dir.resolve("credentials");
    Files.writeString(credentials, "[default]\naws_access_key_id = AKIDJAR0000000000001\n"
        + "aws_secret_access_key = jar-secret\n");
    Path registry = dir.resolve("registry");
    Path audit = dir.resolve("audit.log");
    Path errFile = dir.resolve("stderr.txt");
    Process p = Jar.builder(List.of(), "api", "--registry", registry.toString(), "--credentials",
        credentials.toString(), "--listen", "127.0.0.1:0", "--zone", "example.com", "--audit-log", audit.toString())
        .redirectError(errFile.toFile()).start();
    try {
      BlockingQueue<String> out = Jar.pump(p, new ArrayList<>());
      String line = Jar.startupLine(out);
      assertThat(line).as("startup line; stderr: %s", Files.readString(errFile)).isNotNull()
          .contains("example.com. " + HostedZones.zoneId("example.com")).contains("1 access keys");
      Matcher m = Pattern.compile("listening on (http://127\\.0\\.0\\.1:\\d+)").matcher(line);
      assertThat(m.find()).as(line).isTrue();
      try (Route53Client r53 = Route53Client.builder().endpointOverride(URI.create(m.group(1)))
          .region(Region.AWS_GLOBAL)
          .credentialsProvider(StaticCredentialsProvider.create(
              AwsBasicCredentials.create("AKIDJAR0000000000001", "jar-secret")))
          .overrideConfiguration(o -> o.retryPolicy(RetryPolicy.none()))
          .build()) {
        assertThat(r53.listHostedZones().hostedZones()).extracting(HostedZone::name).containsExactly("example.com.");
        String id = r53.createTrafficPolicy(b -> b.name("www").document("{\"AWSPolicyFormatVersion\":"
            + "\"2015-10-01\",\"RecordType\":\"A\",\"StartEndpoint\":\"e\",\"Endpoints\":{\"e\":{\"Type\":"
            + "\"value\",\"Value\":\"192.0.2.1\"}}}")).trafficPolicy().id();
        r53.createTrafficPolicyInstance(b -> b.hostedZoneId(HostedZones.zoneId("example.com"))
            .name("www.example.com").ttl(60L).trafficPolicyId(id).trafficPolicyVersion(1));
        assertThat(r53.testDNSAnswer(b -> b.hostedZoneId(HostedZones.zoneId("example.com"))
            .recordName("www.example.com").recordType("A")).recordData()).containsExactly("192.0.2.1");
      }
      Process list = Jar.builder(List.of(), "record", "list", "--registry", registry.toString()).start();
      String records = new String(list.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertThat(list.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(records).contains("www.example.com.");
      assertThat(Files.readAllLines(audit)).hasSize(2);
    } finally {
      p.destroy(); // SIGTERM
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(Files.readString(errFile)).contains("traffic-policy api: stopped");
  }
}
