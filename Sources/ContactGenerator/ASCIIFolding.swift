/// Folds names to the lower-case ASCII letters and digits an email address is made of:
/// `José` → `jose`, `Øberg` → `oberg`, `Weiß` → `weiss`, `O'Brien` → `obrien`.
///
/// A fixed table rather than ICU transforms, so the output (and the generator's bytes)
/// never depends on the platform's Unicode library. Scalars it does not know are dropped.
enum ASCIIFolding {
    static func fold(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if (0x61...0x7A).contains(value) || (0x30...0x39).contains(value) {
                out.unicodeScalars.append(scalar)
            } else if (0x41...0x5A).contains(value) {
                out.unicodeScalars.append(Unicode.Scalar(UInt8(value + 0x20)))
            } else if let folded = table[scalar] {
                out += folded
            }
        }
        return out
    }

    private static let table: [Unicode.Scalar: String] = {
        let groups: [(String, String)] = [
            ("a", "àáâãäåāăąạảấầẩẫậắằẳẵặÀÁÂÃÄÅĀĂĄẠẢẤẦẨẪẬẮẰẲẴẶ"),
            ("c", "çćĉċčÇĆĈĊČ"),
            ("d", "ďđðĎĐÐ"),
            ("e", "èéêëēĕėęěẹẻẽếềểễệÈÉÊËĒĔĖĘĚẸẺẼẾỀỂỄỆ"),
            ("g", "ĝğġģĜĞĠĢ"),
            ("h", "ĥħĤĦ"),
            ("i", "ìíîïĩīĭįıịỉÌÍÎÏĨĪĬĮİỊỈ"),
            ("j", "ĵĴ"),
            ("k", "ķĶ"),
            ("l", "ĺļľŀłĹĻĽĿŁ"),
            ("n", "ñńņňÑŃŅŇ"),
            ("o", "òóôõöøōŏőơọỏốồổỗộớờởỡợÒÓÔÕÖØŌŎŐƠỌỎỐỒỔỖỘỚỜỞỠỢ"),
            ("r", "ŕŗřŔŖŘ"),
            ("s", "śŝşšșŚŜŞŠȘ"),
            ("t", "ţťŧțŢŤŦȚ"),
            ("u", "ùúûüũūŭůűųưụủứừửữựÙÚÛÜŨŪŬŮŰŲƯỤỦỨỪỬỮỰ"),
            ("w", "ŵŴ"),
            ("y", "ýÿŷỳỵỷỹÝŸŶỲỴỶỸ"),
            ("z", "źżžŹŻŽ"),
            ("ss", "ß"),
            ("ae", "æÆ"),
            ("oe", "œŒ"),
            ("th", "þÞ"),
        ]
        var table: [Unicode.Scalar: String] = [:]
        for (folded, sources) in groups {
            for scalar in sources.unicodeScalars {
                table[scalar] = folded
            }
        }
        return table
    }()
}
