extension JSONValue {
    /// Parses `bytes` as one JSON document, without first repairing bad UTF-8 as `parse(_:)`'s
    /// `String` does. For the fuzz targets (Fuzz/).
    package static func parse(bytes: [UInt8]) throws(CallsheetError) -> JSONValue {
        var parser = JSONParser(bytes)
        return try parser.parseDocument()
    }
}
