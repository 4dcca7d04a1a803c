package io.github.iamauth4j.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.iamauth4j.core.IamConfigurationException;
import org.junit.jupiter.api.Test;

class IamUrlsTest {

  @Test
  void turnsIamUrlsIntoDriverUrls() {
    assertThat(IamUrls.parse("jdbc:iamauth4j:mysql://h:3306/db?a=b", "url").url().text())
        .isEqualTo("jdbc:mysql://h:3306/db?a=b");
    assertThat(IamUrls.parse("JDBC:IAMAUTH4J:mariadb://h/db", "url").url().scheme())
        .isEqualTo("mariadb");
    assertThat(IamUrls.parse("jdbc:postgresql://h/db", "url").engine()).isNull();
  }

  @Test
  void dsqlIsPostgresWireToThePostgresDatabase() {
    IamUrls.Parsed p = IamUrls.parse("jdbc:iamauth4j:dsql://abc.dsql.us-east-1.on.aws", "url");
    assertThat(p.engine()).isEqualTo(Engine.DSQL);
    assertThat(p.url().text()).isEqualTo("jdbc:postgresql://abc.dsql.us-east-1.on.aws/postgres");
    assertThat(
            IamUrls.parse("jdbc:iamauth4j:dsql://abc.dsql.us-east-1.on.aws?x=1", "url")
                .url()
                .text())
        .isEqualTo("jdbc:postgresql://abc.dsql.us-east-1.on.aws/postgres?x=1");
  }

  @Test
  void anUnknownEngineNamesTheSetting() {
    assertThatThrownBy(() -> IamUrls.parse("jdbc:iamauth4j:sqlserver://h", "url"))
        .isInstanceOf(IamConfigurationException.class)
        .hasMessageContaining("url: engine \"sqlserver\" is not supported");
  }
}
