package io.github.trafficpolicy.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * dnsjava stays an implementation detail of the dns module: no public or protected signature of a public type
 * (fields, constructors, methods, supertypes, record components, type parameters) names an {@code org.xbill} type,
 * as the package documentation promises. The twin of the api module's Jackson confinement test.
 */
final class DnsjavaConfinementTest {
  private static final String DNSJAVA = "org.xbill.";

  @Test
  void publicSignatures_everyPackage_nameNoDnsjavaType() throws IOException, URISyntaxException {
    List<String> offenders = new ArrayList<>();
    List<Class<?>> checked = publicTypes();
    for (Class<?> c : checked) {
      check(c.getName() + " extends", c.getGenericSuperclass(), offenders);
      for (Type t : c.getGenericInterfaces()) {
        check(c.getName() + " implements", t, offenders);
      }
      for (Field f : c.getDeclaredFields()) {
        if (visible(f)) {
          check(f.toString(), f.getGenericType(), offenders);
        }
      }
      for (Constructor<?> k : c.getDeclaredConstructors()) {
        if (visible(k)) {
          checkExecutable(k, offenders);
        }
      }
      for (Method m : c.getDeclaredMethods()) {
        if (visible(m) && !m.isSynthetic() && !m.isBridge()) {
          check(m.toString(), m.getGenericReturnType(), offenders);
          checkExecutable(m, offenders);
        }
      }
    }
    assertThat(checked).as("public types checked").hasSizeGreaterThan(20);
    assertThat(offenders).isEmpty();
  }

  @Test
  void check_dnsjavaInASignature_isFound() throws NoSuchMethodException {
    // Guards the check above: a signature naming dnsjava (in a type argument, too) is reported.
    List<String> offenders = new ArrayList<>();
    check("sample", Sample.class.getDeclaredMethod("names").getGenericReturnType(), offenders);
    assertThat(offenders).singleElement().asString().contains("org.xbill.DNS.Name");
  }

  /** Not part of the check: only a signature that names dnsjava in a type argument. */
  private interface Sample {
    List<org.xbill.DNS.Name> names();
  }

  private static void checkExecutable(Executable e, List<String> offenders) {
    for (Type t : e.getGenericParameterTypes()) {
      check(e.toString(), t, offenders);
    }
    for (Type t : e.getGenericExceptionTypes()) {
      check(e.toString(), t, offenders);
    }
    for (TypeVariable<?> v : e.getTypeParameters()) {
      for (Type b : v.getBounds()) {
        check(e.toString(), b, offenders);
      }
    }
  }

  private static void check(String where, Type t, List<String> offenders) {
    if (t == null) {
      return;
    }
    if (t instanceof Class<?> c) {
      Class<?> base = c;
      while (base.isArray()) {
        base = base.getComponentType();
      }
      if (base.getName().startsWith(DNSJAVA)) {
        offenders.add(where + ": " + base.getName());
      }
    } else if (t instanceof ParameterizedType p) {
      check(where, p.getRawType(), offenders);
      for (Type a : p.getActualTypeArguments()) {
        check(where, a, offenders);
      }
    } else if (t instanceof GenericArrayType g) {
      check(where, g.getGenericComponentType(), offenders);
    } else if (t instanceof WildcardType w) {
      for (Type b : w.getUpperBounds()) {
        check(where, b, offenders);
      }
      for (Type b : w.getLowerBounds()) {
        check(where, b, offenders);
      }
    }
  }

  private static boolean visible(Member m) {
    return Modifier.isPublic(m.getModifiers()) || Modifier.isProtected(m.getModifiers());
  }

  /** Every public top-level or nested type of the module's main classes, reachable from outside its package. */
  private static List<Class<?>> publicTypes() throws IOException, URISyntaxException {
    Path classes = Path.of(QueryHandler.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<Class<?>> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(classes)) {
      for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".class"))::iterator) {
        String name = classes.relativize(f).toString().replace(f.getFileSystem().getSeparator(), ".")
            .replaceFirst("\\.class$", "");
        if (name.startsWith("META-INF") || name.endsWith("package-info")) {
          continue;
        }
        Class<?> c;
        try {
          c = Class.forName(name, false, QueryHandler.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
          continue; // a multi-release variant for another Java version
        }
        if (reachable(c)) {
          out.add(c);
        }
      }
    }
    return out;
  }

  private static boolean reachable(Class<?> c) {
    for (Class<?> k = c; k != null; k = k.getDeclaringClass()) {
      if (!Modifier.isPublic(k.getModifiers()) && !(k != c && Modifier.isProtected(c.getModifiers()))) {
        return false;
      }
      if (k.isAnonymousClass() || k.isLocalClass()) {
        return false;
      }
    }
    return true;
  }
}
