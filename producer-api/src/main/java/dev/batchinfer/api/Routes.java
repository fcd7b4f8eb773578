package dev.batchinfer.api;

import io.javalin.Javalin;
import io.javalin.http.Handler;
import java.util.ArrayList;
import java.util.List;

/** Registers routes and remembers them, so what is served and what is documented can be compared. */
final class Routes {
  private final Javalin app;
  private final List<String> registered = new ArrayList<>();

  Routes(Javalin app) {
    this.app = app;
  }

  void get(String path, Handler h) {
    app.get(path, h);
    registered.add("GET " + path);
  }

  void post(String path, Handler h) {
    app.post(path, h);
    registered.add("POST " + path);
  }

  void put(String path, Handler h) {
    app.put(path, h);
    registered.add("PUT " + path);
  }

  void delete(String path, Handler h) {
    app.delete(path, h);
    registered.add("DELETE " + path);
  }

  List<String> registered() {
    return List.copyOf(registered);
  }
}
