// stub
struct ServeCommand: AsyncParsableCommand {}
import ArgumentParser
