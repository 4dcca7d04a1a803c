package io.github.iamauth4j.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Region names and their detection from AWS endpoint host names. */
class AwsRegionsTest {

  @ParameterizedTest
  @CsvSource({
    // RDS and Aurora: instance, cluster, reader, custom, proxy endpoints
    "db1.abc123xyz.us-east-1.rds.amazonaws.com, us-east-1",
    "mycluster.cluster-abc123xyz.eu-west-1.rds.amazonaws.com, eu-west-1",
    "mycluster.cluster-ro-abc123xyz.ap-southeast-2.rds.amazonaws.com, ap-southeast-2",
    "custom1.cluster-custom-abc123xyz.ca-central-1.rds.amazonaws.com, ca-central-1",
    "myproxy.proxy-abc123xyz.eu-central-1.rds.amazonaws.com, eu-central-1",
    "myproxy-ro.endpoint.proxy-abc123xyz.us-west-2.rds.amazonaws.com, us-west-2",
    "DB1.ABC123XYZ.US-EAST-2.RDS.AMAZONAWS.COM, us-east-2",
    "db1.abc123xyz.us-east-1.rds.amazonaws.com., us-east-1",
    // China and GovCloud
    "db1.abc123xyz.cn-north-1.rds.amazonaws.com.cn, cn-north-1",
    "mycluster.cluster-abc.cn-northwest-1.rds.amazonaws.com.cn, cn-northwest-1",
    "db1.abc123xyz.us-gov-west-1.rds.amazonaws.com, us-gov-west-1",
    "db1.abc123xyz.us-gov-east-1.rds.amazonaws.com, us-gov-east-1",
    // a name that looks like a region does not win over the real one, which is further right
    "eu-west-1.abc123xyz.us-east-1.rds.amazonaws.com, us-east-1",
    // MemoryDB
    "clustercfg.sessions.abc123.memorydb.us-east-1.amazonaws.com, us-east-1",
    "sessions-0001-001.sessions.abc123.memorydb.ap-northeast-1.amazonaws.com, ap-northeast-1",
    // Aurora DSQL
    "abcdefghijklmnopqrstuvwxyz.dsql.us-east-1.on.aws, us-east-1",
    "abcdefghijklmnopqrstuvwxyz.dsql.eu-west-2.on.aws, eu-west-2",
    // ElastiCache short codes
    "master.orders.abc123.use1.cache.amazonaws.com, us-east-1",
    "orders.abc123.clustercfg.use2.cache.amazonaws.com, us-east-2",
    "orders-abc123.serverless.usw1.cache.amazonaws.com, us-west-1",
    "orders-abc123.serverless.usw2.cache.amazonaws.com, us-west-2",
    "replica.orders.abc123.euw1.cache.amazonaws.com, eu-west-1",
    "orders.abc123.ng.0001.euw3.cache.amazonaws.com, eu-west-3",
    "orders.abc123.euc1.cache.amazonaws.com, eu-central-1",
    "orders.abc123.euc2.cache.amazonaws.com, eu-central-2",
    "orders.abc123.eun1.cache.amazonaws.com, eu-north-1",
    "orders.abc123.eus2.cache.amazonaws.com, eu-south-2",
    "orders.abc123.apse1.cache.amazonaws.com, ap-southeast-1",
    "orders.abc123.apse2.cache.amazonaws.com, ap-southeast-2",
    "orders.abc123.apne1.cache.amazonaws.com, ap-northeast-1",
    "orders.abc123.apne3.cache.amazonaws.com, ap-northeast-3",
    "orders.abc123.aps1.cache.amazonaws.com, ap-south-1",
    "orders.abc123.ape1.cache.amazonaws.com, ap-east-1",
    "orders.abc123.sae1.cache.amazonaws.com, sa-east-1",
    "orders.abc123.cac1.cache.amazonaws.com, ca-central-1",
    "orders.abc123.caw1.cache.amazonaws.com, ca-west-1",
    "orders.abc123.mec1.cache.amazonaws.com, me-central-1",
    "orders.abc123.mes1.cache.amazonaws.com, me-south-1",
    "orders.abc123.afs1.cache.amazonaws.com, af-south-1",
    "orders.abc123.ilc1.cache.amazonaws.com, il-central-1",
    "orders.abc123.mxc1.cache.amazonaws.com, mx-central-1",
    "orders.abc123.cnn1.cache.amazonaws.com.cn, cn-north-1",
    "orders.abc123.cnnw1.cache.amazonaws.com.cn, cn-northwest-1",
    "orders.abc123.usgw1.cache.amazonaws.com, us-gov-west-1",
    "orders.abc123.usge1.cache.amazonaws.com, us-gov-east-1",
    "ORDERS.ABC123.USE1.CACHE.AMAZONAWS.COM, us-east-1"
  })
  void regionFromAwsHosts(String host, String region) {
    assertThat(AwsRegions.fromHost(host)).contains(region);
    assertThat(AwsRegions.isValid(region)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "localhost",
        "127.0.0.1",
        "10.1.2.3",
        "::1",
        "db.internal",
        "db.example.com",
        "us-east-1.example.com",
        "db.us-east-1.rds.amazonaws.com.evil.example",
        "use1.cache.amazonaws.com.example.org",
        "orders.abc123.cache.amazonaws.com",
        "orders.xyz1.cache.amazonaws.com",
        "rds.amazonaws.com",
        "amazonaws.com",
        "my-cache",
        ""
      })
  void noRegionFromOtherHosts(String host) {
    assertThat(AwsRegions.fromHost(host)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "us-east-1",
        "us-gov-west-1",
        "cn-northwest-1",
        "ap-southeast-5",
        "eu-central-2",
        "il-central-1",
        "us-isob-east-1"
      })
  void validRegions(String region) {
    assertThat(AwsRegions.isValid(region)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "us-east",
        "US-EAST-1",
        "us_east_1",
        "useast1",
        "us-east-1a",
        "us-east-123",
        " us-east-1",
        "us-east-1\n",
        "u-east-1"
      })
  void invalidRegions(String region) {
    assertThat(AwsRegions.isValid(region)).isFalse();
  }
}
