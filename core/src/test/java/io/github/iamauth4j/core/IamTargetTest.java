package io.github.iamauth4j.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Validation and normalisation of targets (SPEC.md §1). */
class IamTargetTest {
  private static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

  @Test
  void elastiCacheLowercasesNameAndUserAndSignsTheName() {
    IamTarget t = IamTarget.elastiCache("Orders-Cache-01", "App-User");

    assertThat(t.kind()).isEqualTo(IamTarget.Kind.ELASTICACHE);
    assertThat(t.signingName()).isEqualTo("elasticache");
    assertThat(t.resource()).isEqualTo("orders-cache-01");
    assertThat(t.signedHost()).isEqualTo("orders-cache-01");
    assertThat(t.userName()).isEqualTo("app-user");
    assertThat(t.port()).isEqualTo(-1);
    assertThat(t.parameters()).isEqualTo(Map.of("Action", "connect", "User", "app-user"));
    assertThat(t.parameters()).doesNotContainKey("ResourceType");
    assertThat(t.maxExpiry()).isEqualTo(Duration.ofMinutes(15));
    assertThat(t.regionFromHost()).isEmpty();
    assertThat(t).isEqualTo(IamTarget.elastiCache("orders-cache-01", "app-user"));
    assertThat(t.hashCode())
        .isEqualTo(IamTarget.elastiCache("ORDERS-CACHE-01", "APP-USER").hashCode());
  }

  @Test
  void serverlessAddsResourceTypeAndDiffersFromReplicationGroup() {
    IamTarget s = IamTarget.elastiCacheServerless("MyCache", "default.App");

    assertThat(s.kind()).isEqualTo(IamTarget.Kind.ELASTICACHE_SERVERLESS);
    assertThat(s.signingName()).isEqualTo("elasticache");
    assertThat(s.signedHost()).isEqualTo("mycache");
    assertThat(s.userName()).isEqualTo("default.app");
    // Sorted by name, as documented.
    assertThat(s.parameters().keySet()).containsExactly("Action", "ResourceType", "User");
    assertThat(s.parameters())
        .containsEntry("ResourceType", "ServerlessCache")
        .containsEntry("Action", "connect")
        .containsEntry("User", "default.app");
    assertThat(s).isNotEqualTo(IamTarget.elastiCache("MyCache", "default.App"));
  }

  @Test
  void memoryDbSignsNamesAsGiven() {
    IamTarget t = IamTarget.memoryDb("Sessions-1", "App");

    assertThat(t.signingName()).isEqualTo("memorydb");
    assertThat(t.signedHost()).isEqualTo("Sessions-1");
    assertThat(t.userName()).isEqualTo("App");
    assertThat(t.parameters()).isEqualTo(Map.of("Action", "connect", "User", "App"));
  }

  @Test
  void cacheNamesAtTheLimitsAreAccepted() {
    String forty = "a" + "b1".repeat(19) + "c";
    assertThat(forty).hasSize(40);

    assertThat(IamTarget.elastiCache(forty, "u").signedHost()).isEqualTo(forty);
    assertThat(IamTarget.elastiCache("a", "u").signedHost()).isEqualTo("a");
    assertThat(IamTarget.elastiCache("a-1-b-2", "u-").signedHost()).isEqualTo("a-1-b-2");
    assertThat(IamTarget.memoryDb(forty, "a" + "-".repeat(39)).userName()).hasSize(40);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "1cache",
        "-cache",
        "cache-",
        "ca--che",
        "ca_che",
        "ca.che",
        "café",
        "a23456789012345678901234567890123456789012"
      })
  void invalidCacheNamesAreRefusedNamingTheSetting(String name) {
    IamConfigurationException e =
        catchThrowableOfType(
            IamConfigurationException.class, () -> IamTarget.elastiCache(name, "app"));

    assertThat(e.problems()).hasSize(1);
    assertThat(e.problems().get(0)).startsWith("cacheName: ").contains("expected 1 to 40");
    assertThatThrownBy(() -> IamTarget.memoryDb(name, "app"))
        .isInstanceOf(IamConfigurationException.class)
        .hasMessageContaining("clusterName: ");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "1user",
        "-user",
        "us_er",
        "us er",
        "user.name",
        "default.",
        "default.1x",
        "a234567890123456789012345678901234567890x"
      })
  void invalidCacheUsersAreRefused(String user) {
    assertThatThrownBy(() -> IamTarget.elastiCacheServerless("cache", user))
        .isInstanceOf(IamConfigurationException.class)
        .hasMessageContaining("userId: ")
        .hasMessageNotContaining("cacheName");
    assertThatThrownBy(() -> IamTarget.memoryDb("cache", user))
        .isInstanceOf(IamConfigurationException.class)
        .hasMessageContaining("userName: ");
  }

  @Test
  void everyProblemIsListedTogether() {
    IamConfigurationException e =
        catchThrowableOfType(
            IamConfigurationException.class, () -> IamTarget.rds("bad host", 0, ""));

    assertThat(e.problems()).hasSize(3);
    assertThat(e.problems().get(0)).startsWith("host: ");
    assertThat(e.problems().get(1)).startsWith("port: 0 is not a TCP port");
    assertThat(e.problems().get(2)).startsWith("dbUser: is empty");
    assertThat(e.getMessage()).contains("3 problems");

    IamConfigurationException cache =
        catchThrowableOfType(
            IamConfigurationException.class, () -> IamTarget.elastiCache("-x", "1y"));
    assertThat(cache.problems()).hasSize(2);
    assertThat(cache.problems().get(0)).startsWith("cacheName: ");
    assertThat(cache.problems().get(1)).startsWith("userId: ");
  }

  @Test
  void rdsSignsLowercaseHostWithPortAndTheUserAsGiven() {
    IamTarget t =
        IamTarget.rds("DB1.abc123.EU-WEST-1.rds.amazonaws.com.", 5432, "App User+/=%&é😀");

    assertThat(t.signingName()).isEqualTo("rds-db");
    assertThat(t.resource()).isEqualTo("db1.abc123.eu-west-1.rds.amazonaws.com");
    assertThat(t.signedHost()).isEqualTo("db1.abc123.eu-west-1.rds.amazonaws.com:5432");
    assertThat(t.port()).isEqualTo(5432);
    assertThat(t.userName()).isEqualTo("App User+/=%&é😀");
    assertThat(t.parameters())
        .containsEntry("DBUser", "App User+/=%&é😀")
        .containsEntry("Action", "connect");
    assertThat(t.regionFromHost()).contains("eu-west-1");
  }

  @Test
  void rdsOnPort443SignsTheHostAloneAsTheAwsSdkDoes() {
    IamTarget t = IamTarget.rds("db1.abc123.eu-west-1.rds.amazonaws.com", 443, "app");

    assertThat(t.signedHost()).isEqualTo("db1.abc123.eu-west-1.rds.amazonaws.com");
    assertThat(t.port()).isEqualTo(443);
    assertThat(t).isNotEqualTo(IamTarget.rds("db1.abc123.eu-west-1.rds.amazonaws.com", 444, "app"));
  }

  @Test
  void rdsPortsAndUsersAtTheLimits() {
    assertThat(IamTarget.rds("h", 1, "u").signedHost()).isEqualTo("h:1");
    assertThat(IamTarget.rds("h", 65535, "x".repeat(128)).signedHost()).isEqualTo("h:65535");
    assertThatThrownBy(() -> IamTarget.rds("h", 65536, "u"))
        .hasMessageContaining("port: 65536 is not a TCP port (expected 1 to 65535)");
    assertThatThrownBy(() -> IamTarget.rds("h", -1, "u")).hasMessageContaining("port: -1");
    assertThatThrownBy(() -> IamTarget.rds("h", 5432, "x".repeat(129)))
        .hasMessageContaining("dbUser: ")
        .hasMessageContaining("expected 1 to 128 characters");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "https://db.example.com",
        "db.example.com:5432",
        "db.example.com/",
        "-db.example.com",
        "db-.example.com",
        "db..example.com",
        "db_1.example.com",
        "db example.com",
        "dé.example.com",
        "[::1]"
      })
  void invalidHostsAreRefused(String host) {
    assertThatThrownBy(() -> IamTarget.rds(host, 5432, "u"))
        .isInstanceOf(IamConfigurationException.class)
        .hasMessageContaining("host: ")
        .hasMessageContaining("expected the endpoint's DNS name");
    assertThatThrownBy(() -> IamTarget.dsql(host, "u")).hasMessageContaining("host: ");
  }

  @Test
  void hostLabelAndLengthLimits() {
    String label63 = "a".repeat(63);
    String host253 =
        String.join(".", "a".repeat(63), "b".repeat(63), "c".repeat(63), "d".repeat(61));
    assertThat(host253).hasSize(253);

    assertThat(IamTarget.rds(label63 + ".com", 1, "u").resource()).startsWith(label63);
    assertThat(IamTarget.rds(host253, 1, "u").resource()).isEqualTo(host253);
    assertThatThrownBy(() -> IamTarget.rds("a".repeat(64) + ".com", 1, "u"))
        .hasMessageContaining("host: ");
    assertThatThrownBy(() -> IamTarget.rds(host253 + "e", 1, "u")).hasMessageContaining("host: ");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"a\u0000b", "tab\there", "new\nline", "esc\u001b[31m", "del\u007f", "c1\u0085"})
  void dbUsersWithControlCharactersAreRefusedAndNotEchoed(String user) {
    IamConfigurationException e =
        catchThrowableOfType(IamConfigurationException.class, () -> IamTarget.rds("h", 1, user));

    assertThat(e.problems()).singleElement().asString().startsWith("dbUser: ");
    assertThat(e.getMessage()).doesNotContain(user).contains("not repeated here");
    assertThatThrownBy(() -> IamTarget.dsql("h", user)).hasMessageContaining("role: ");
  }

  @Test
  void dbUsersWithUnpairedSurrogatesAreRefused() {
    // An unpaired surrogate has no UTF-8 form: the token would name a different user ("?").
    assertThatThrownBy(() -> IamTarget.rds("h", 1, "user\uD83D"))
        .isInstanceOf(IamConfigurationException.class)
        .hasMessageContaining("dbUser: ");
    assertThatThrownBy(() -> IamTarget.dsql("h", "\uDE00role")).hasMessageContaining("role: ");
  }

  @Test
  void dsqlAdminSignsDbConnectAdminAndOtherRolesDbConnect() {
    IamTarget admin = IamTarget.dsqlAdmin("ABC.dsql.us-east-1.on.aws");
    IamTarget alsoAdmin = IamTarget.dsql("abc.dsql.us-east-1.on.aws", "admin");
    IamTarget user = IamTarget.dsql("abc.dsql.us-east-1.on.aws", "app_reader");
    IamTarget notAdmin = IamTarget.dsql("abc.dsql.us-east-1.on.aws", "Admin");

    assertThat(admin).isEqualTo(alsoAdmin);
    assertThat(admin.parameters()).containsExactlyEntriesOf(Map.of("Action", "DbConnectAdmin"));
    assertThat(admin.userName()).isEqualTo("admin");
    assertThat(admin.signedHost()).isEqualTo("abc.dsql.us-east-1.on.aws");
    assertThat(admin.port()).isEqualTo(-1);
    assertThat(admin.signingName()).isEqualTo("dsql");
    assertThat(admin.maxExpiry()).isEqualTo(Duration.ofDays(7));
    assertThat(admin.regionFromHost()).contains("us-east-1");
    assertThat(user.parameters()).containsExactlyEntriesOf(Map.of("Action", "DbConnect"));
    assertThat(user.userName()).isEqualTo("app_reader");
    assertThat(notAdmin.parameters()).containsEntry("Action", "DbConnect");
  }

  @Test
  void descriptionNamesTheTargetButNotAHostileUser() {
    assertThat(IamTarget.elastiCache("orders", "app").description())
        .isEqualTo("ElastiCache cache \"orders\" (user \"app\")");
    assertThat(IamTarget.dsql("abc.dsql.us-east-1.on.aws", "admin").toString())
        .isEqualTo("Aurora DSQL cluster \"abc.dsql.us-east-1.on.aws\" (role \"admin\")");
    IamTarget odd = IamTarget.rds("h", 1, "x\u202e<script>");
    assertThat(odd.description()).doesNotContain("<script>").doesNotContain("\u202e");
  }

  @Test
  void hostileOrSecretValuesAreNeverEchoed() {
    String longValue = "a".repeat(300);
    String escape = "cache\u001b]0;pwned\u0007";
    for (String hostile : new String[] {longValue, escape, SECRET, "x" + SECRET + "y"}) {
      for (Runnable r :
          new Runnable[] {
            () -> IamTarget.elastiCache(hostile, "app"),
            () -> IamTarget.elastiCache("orders", hostile),
            () -> IamTarget.memoryDb(hostile, hostile),
            () -> IamTarget.rds(hostile, 1, "u"),
            () -> IamTarget.dsql(hostile, "u")
          }) {
        IamConfigurationException e = catchThrowableOfType(IamConfigurationException.class, r::run);
        assertThat(e).as("refused: %s", hostile.length()).isNotNull();
        assertThat(e.getMessage())
            .doesNotContain(hostile)
            .doesNotContain(SECRET)
            .doesNotContain("\u001b")
            .contains("not repeated here");
      }
    }
  }

  @Test
  void harmlessBadValuesAreQuotedToHelp() {
    assertThatThrownBy(() -> IamTarget.elastiCache("orders_cache", "app"))
        .hasMessageContaining("cacheName: \"orders_cache\" is not a valid name");
  }
}
