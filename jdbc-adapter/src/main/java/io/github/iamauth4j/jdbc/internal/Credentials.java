package io.github.iamauth4j.jdbc.internal;

import io.github.iamauth4j.core.internal.Texts;
import io.github.iamauth4j.jdbc.IamJdbcConfig;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.profiles.ProfileFile;

/**
 * One credentials provider instance per {@code iamProfile} name and per {@code
 * iamCredentialsProvider} class in the JVM: the core shares token providers by credentials provider
 * identity, so equal settings must give the same instance. A profile is looked up in the AWS config
 * and credentials files before its provider is made: a misspelled or missing profile is a
 * configuration error ({@link CredentialsConfigurationException}), found before any token provider
 * exists, never a credential outage that a pool would retry forever.
 */
public final class Credentials {
  // The AWS SDK's profile file reader ignores profiles named otherwise.
  private static final Pattern PROFILE_NAME = Pattern.compile("[A-Za-z0-9_\\-/.%@:+]{1,256}");
  private static final ConcurrentMap<String, AwsCredentialsProvider> BY_PROFILE =
      new ConcurrentHashMap<>();
  private static final ConcurrentMap<String, AwsCredentialsProvider> BY_CLASS =
      new ConcurrentHashMap<>();

  private Credentials() {}

  /**
   * The provider of the AWS profile {@code name}, made once per JVM.
   *
   * @param name the profile name
   * @throws CredentialsConfigurationException naming {@code iamProfile}: an impossible name, or no
   *     such profile in the AWS config or credentials file
   */
  public static AwsCredentialsProvider profile(String name) {
    AwsCredentialsProvider known = BY_PROFILE.get(name);
    if (known != null) {
      return known;
    }
    if (!PROFILE_NAME.matcher(name).matches()) {
      throw new CredentialsConfigurationException(
          IamJdbcConfig.PROFILE
              + ": "
              + Texts.quoteIfSafe(name)
              + " is not a profile name (expected letters, digits and - / . % @ _ : +)");
    }
    boolean found;
    try {
      found = ProfileFile.defaultProfileFile().profile(name).isPresent();
    } catch (SdkException | IllegalStateException e) {
      CredentialsConfigurationException x =
          new CredentialsConfigurationException(
              IamJdbcConfig.PROFILE
                  + ": the AWS config and credentials files cannot be read ("
                  + Texts.printable(String.valueOf(e.getMessage()))
                  + ")");
      x.initCause(e);
      throw x;
    }
    if (!found) {
      throw new CredentialsConfigurationException(
          IamJdbcConfig.PROFILE
              + ": no profile "
              + Texts.quoteIfSafe(name)
              + " in the AWS config or credentials file (~/.aws/config, ~/.aws/credentials, or"
              + " AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE); check its spelling, or leave "
              + IamJdbcConfig.PROFILE
              + " unset for the AWS SDK's default credentials chain");
    }
    return BY_PROFILE.computeIfAbsent(name, ProfileCredentialsProvider::create);
  }

  /**
   * The provider of class {@code className}, made once per JVM with its static {@code create()}
   * method or its public no-argument constructor.
   *
   * @param className the class name
   * @throws CredentialsConfigurationException naming {@code iamCredentialsProvider} if it cannot be
   *     made
   */
  public static AwsCredentialsProvider ofClass(String className) {
    AwsCredentialsProvider known = BY_CLASS.get(className);
    if (known != null) {
      return known;
    }
    AwsCredentialsProvider made = instantiate(className);
    AwsCredentialsProvider raced = BY_CLASS.putIfAbsent(className, made);
    return raced != null ? raced : made;
  }

  static AwsCredentialsProvider instantiate(String className) {
    String setting = IamJdbcConfig.CREDENTIALS_PROVIDER + ": " + Texts.quoteIfSafe(className);
    Class<?> c = null;
    ClassLoader tccl = Thread.currentThread().getContextClassLoader();
    for (ClassLoader cl : new ClassLoader[] {tccl, Credentials.class.getClassLoader()}) {
      if (cl == null || c != null) {
        continue;
      }
      try {
        c = Class.forName(className, true, cl);
      } catch (ClassNotFoundException | LinkageError e) {
        // Tried with the next loader; reported below.
      }
    }
    if (c == null) {
      throw new CredentialsConfigurationException(setting + " was not found on the class path");
    }
    if (!AwsCredentialsProvider.class.isAssignableFrom(c)) {
      throw new CredentialsConfigurationException(
          setting + " is not an " + AwsCredentialsProvider.class.getName());
    }
    try {
      try {
        Method create = c.getMethod("create");
        if (Modifier.isStatic(create.getModifiers())
            && AwsCredentialsProvider.class.isAssignableFrom(create.getReturnType())) {
          return (AwsCredentialsProvider) create.invoke(null);
        }
      } catch (NoSuchMethodException e) {
        // Fall back to the constructor.
      }
      Constructor<?> ctor = c.getConstructor();
      return (AwsCredentialsProvider) ctor.newInstance();
    } catch (NoSuchMethodException e) {
      throw new CredentialsConfigurationException(
          setting + " has neither a static create() method nor a public no-argument constructor");
    } catch (InvocationTargetException | InstantiationException | IllegalAccessException e) {
      CredentialsConfigurationException x =
          new CredentialsConfigurationException(
              setting + " could not be made: " + e.getClass().getName());
      x.initCause(e instanceof InvocationTargetException ite ? ite.getCause() : e);
      throw x;
    }
  }
}
