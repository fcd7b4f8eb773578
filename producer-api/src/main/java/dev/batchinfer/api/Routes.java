package dev.batchinfer.api;

import io.javalin.Javalin;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
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
    add(HandlerType.GET, path, h);
  }

  void post(String path, Handler h) {
    add(HandlerType.POST, path, h);
  }

  void put(String path, Handler h) {
    add(HandlerType.PUT, path, h);
  }

  void patch(String path, Handler h) {
    add(HandlerType.PATCH, path, h);
  }

  void delete(String path, Handler h) {
    add(HandlerType.DELETE, path, h);
  }

  private void add(HandlerType method, String path, Handler h) {
    app.addHttpHandler(method, path, h);
    registered.add(method.name() + " " + path);
  }

  List<String> registered() {
    return List.copyOf(registered);
  }
}
