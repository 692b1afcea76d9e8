//! Arrow input read in place: any object exporting the Arrow PyCapsule stream interface
//! (`__arrow_c_stream__`: pyarrow tables and readers, polars frames, pandas through pyarrow,
//! duckdb results) is consumed batch by batch, each column's buffer borrowed where its type
//! is the one the core takes.
//!
//! This is the Arrow C data interface (<https://arrow.apache.org/docs/format/CDataInterface.html>)
//! and its stream interface, read by hand: three `repr(C)` structs and their release
//! callbacks, rather than the `arrow` crates for the few primitive types the analytics take.
//! Every `unsafe` block is here, each with the interface rule it relies on.
#![allow(unsafe_code)]

use crate::errors;
use loyalty::interop::TimeUnit;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyCapsule;
use std::borrow::Cow;
use std::ffi::{c_char, c_int, c_void, CStr};

#[repr(C)]
struct FfiSchema {
    format: *const c_char,
    name: *const c_char,
    metadata: *const c_char,
    flags: i64,
    n_children: i64,
    children: *mut *mut FfiSchema,
    dictionary: *mut FfiSchema,
    release: Option<unsafe extern "C" fn(*mut FfiSchema)>,
    private_data: *mut c_void,
}

#[repr(C)]
struct FfiArray {
    length: i64,
    null_count: i64,
    offset: i64,
    n_buffers: i64,
    n_children: i64,
    buffers: *mut *const c_void,
    children: *mut *mut FfiArray,
    dictionary: *mut FfiArray,
    release: Option<unsafe extern "C" fn(*mut FfiArray)>,
    private_data: *mut c_void,
}

#[repr(C)]
struct FfiStream {
    get_schema: Option<unsafe extern "C" fn(*mut FfiStream, *mut FfiSchema) -> c_int>,
    get_next: Option<unsafe extern "C" fn(*mut FfiStream, *mut FfiArray) -> c_int>,
    get_last_error: Option<unsafe extern "C" fn(*mut FfiStream) -> *const c_char>,
    release: Option<unsafe extern "C" fn(*mut FfiStream)>,
    private_data: *mut c_void,
}

impl FfiSchema {
    fn empty() -> FfiSchema {
        FfiSchema {
            format: std::ptr::null(),
            name: std::ptr::null(),
            metadata: std::ptr::null(),
            flags: 0,
            n_children: 0,
            children: std::ptr::null_mut(),
            dictionary: std::ptr::null_mut(),
            release: None,
            private_data: std::ptr::null_mut(),
        }
    }
}

impl Drop for FfiSchema {
    fn drop(&mut self) {
        if let Some(release) = self.release {
            // SAFETY: a schema with a release callback is one the producer handed us; the
            // interface makes the consumer call it exactly once (it then clears it).
            unsafe { release(self) }
        }
    }
}

impl FfiArray {
    fn empty() -> FfiArray {
        FfiArray {
            length: 0,
            null_count: 0,
            offset: 0,
            n_buffers: 0,
            n_children: 0,
            buffers: std::ptr::null_mut(),
            children: std::ptr::null_mut(),
            dictionary: std::ptr::null_mut(),
            release: None,
            private_data: std::ptr::null_mut(),
        }
    }
}

impl Drop for FfiArray {
    fn drop(&mut self) {
        if let Some(release) = self.release {
            // SAFETY: as for the schema: ours to release, once.
            unsafe { release(self) }
        }
    }
}

impl Drop for FfiStream {
    fn drop(&mut self) {
        if let Some(release) = self.release {
            // SAFETY: the stream was moved out of its capsule (whose copy we disarmed), so
            // this is the one release.
            unsafe { release(self) }
        }
    }
}

/// A column's element type, as far as the analytics read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Signed integers of this many bytes.
    Int(usize),
    /// Unsigned integers of this many bytes.
    UInt(usize),
    /// 64-bit instants in this unit (any time zone: the values are UTC).
    Instant(TimeUnit),
    /// 32-bit days since the epoch.
    Date32,
    /// 128-bit fixed-point decimals with this scale.
    Decimal128(i32),
    /// Floating point: never money.
    Float,
    /// UTF-8 text with 32-bit (`u`) or 64-bit (`U`, `large`) offsets.
    Utf8 { large: bool },
    /// UTF-8 text as 16-byte views (`vu`).
    Utf8View,
    /// Dictionary-encoded text: integer indices of this many bytes (and sign) into a
    /// dictionary of this text kind.
    Dictionary { width: usize, signed: bool, values: TextKind },
    /// Anything else, by its format string.
    Other,
}

/// The text kinds a dictionary's values may have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TextKind {
    Utf8 { large: bool },
    Utf8View,
}

fn kind(format: &str) -> Kind {
    let unit = |u: &str| match u {
        "s" => Some(TimeUnit::Seconds),
        "m" => Some(TimeUnit::Milliseconds),
        "u" => Some(TimeUnit::Microseconds),
        "n" => Some(TimeUnit::Nanoseconds),
        _ => None,
    };
    match format {
        "c" => Kind::Int(1),
        "s" => Kind::Int(2),
        "i" => Kind::Int(4),
        "l" => Kind::Int(8),
        "C" => Kind::UInt(1),
        "S" => Kind::UInt(2),
        "I" => Kind::UInt(4),
        "L" => Kind::UInt(8),
        "e" | "f" | "g" => Kind::Float,
        "u" => Kind::Utf8 { large: false },
        "U" => Kind::Utf8 { large: true },
        "vu" => Kind::Utf8View,
        "tdD" => Kind::Date32,
        "tdm" => Kind::Instant(TimeUnit::Milliseconds),
        _ => {
            if let Some(rest) = format.strip_prefix("ts") {
                // "tsu:" or "tsu:Europe/Paris"
                return rest.split(':').next().and_then(unit).map_or(Kind::Other, Kind::Instant);
            }
            if let Some(rest) = format.strip_prefix("d:") {
                // "d:precision,scale" or "d:precision,scale,128"
                let parts: Vec<&str> = rest.split(',').collect();
                if parts.len() == 2 || (parts.len() == 3 && parts[2] == "128") {
                    if let Ok(scale) = parts[1].parse() {
                        return Kind::Decimal128(scale);
                    }
                }
            }
            Kind::Other
        }
    }
}

/// An Arrow stream taken over from its capsule, with the fields of its (struct) schema.
pub(crate) struct Stream {
    raw: Box<FfiStream>,
    /// Rows read so far.
    rows: usize,
    /// Each top-level field: its name and format.
    fields: Vec<(String, String)>,
    /// Each top-level field's dictionary format, when it is dictionary-encoded.
    dictionaries: Vec<Option<String>>,
}

/// Text from a C string the producer owns, or empty.
fn text(ptr: *const c_char) -> String {
    if ptr.is_null() {
        return String::new();
    }
    // SAFETY: the interface's strings are NUL-terminated and live as long as their struct,
    // which outlives this call.
    unsafe { CStr::from_ptr(ptr) }.to_string_lossy().into_owned()
}

impl Stream {
    /// Calls the object's `__arrow_c_stream__()` and takes the stream over.
    pub(crate) fn from_object(object: &Bound<'_, PyAny>) -> PyResult<Stream> {
        let capsule = object.call_method0("__arrow_c_stream__")?;
        let capsule = capsule
            .cast_into::<PyCapsule>()
            .map_err(|_| PyTypeError::new_err("__arrow_c_stream__() did not return a PyCapsule".to_string()))?;
        let pointer = capsule.pointer_checked(Some(c"arrow_array_stream"))?;
        let source = pointer.cast::<FfiStream>().as_ptr();
        // SAFETY: a capsule named "arrow_array_stream" holds an `ArrowArrayStream`. The
        // PyCapsule interface has the consumer move it out and mark the original released
        // (release = NULL), so the capsule's destructor leaves it alone.
        let raw = unsafe {
            let raw = Box::new(std::ptr::read(source));
            (*source).release = None;
            raw
        };
        let mut stream = Stream { raw, rows: 0, fields: Vec::new(), dictionaries: Vec::new() };
        let mut schema = FfiSchema::empty();
        let get_schema = stream.raw.get_schema.ok_or_else(|| stream_error("the stream has no get_schema"))?;
        // SAFETY: the stream is live (not released) and `schema` is a valid place to write.
        let status = unsafe { get_schema(&mut *stream.raw, &mut schema) };
        if status != 0 {
            return Err(stream_error(&stream.last_error(status)));
        }
        if text(schema.format) != "+s" {
            return Err(stream_error(&format!(
                "the stream's schema is {:?}, not a struct of columns",
                text(schema.format)
            )));
        }
        for i in 0..usize::try_from(schema.n_children).unwrap_or(0) {
            // SAFETY: a struct schema has `n_children` valid child pointers.
            let child = unsafe { &**schema.children.add(i) };
            stream.fields.push((text(child.name), text(child.format)));
            // SAFETY: a schema's dictionary is NULL or a valid schema that lives as long.
            stream
                .dictionaries
                .push((!child.dictionary.is_null()).then(|| text(unsafe { (*child.dictionary).format })));
        }
        Ok(stream)
    }

    fn last_error(&mut self, status: c_int) -> String {
        let message = match self.raw.get_last_error {
            // SAFETY: the stream is live; the message (if any) is valid until the next call.
            Some(f) => text(unsafe { f(&mut *self.raw) }),
            None => String::new(),
        };
        if message.is_empty() {
            format!("the Arrow stream failed (error {status})")
        } else {
            message
        }
    }

    /// The index and kind of the column called `name`, or an error naming it.
    pub(crate) fn column(&self, name: &str) -> PyResult<(usize, Kind)> {
        let kind_of = |i: usize| match (kind(&self.fields[i].1), self.dictionaries[i].as_deref().map(kind)) {
            (Kind::Int(width) | Kind::UInt(width), Some(values @ (Kind::Utf8 { .. } | Kind::Utf8View))) => {
                let signed = matches!(kind(&self.fields[i].1), Kind::Int(_));
                let values =
                    if let Kind::Utf8 { large } = values { TextKind::Utf8 { large } } else { TextKind::Utf8View };
                Kind::Dictionary { width, signed, values }
            }
            (_, Some(_)) => Kind::Other,
            (k, None) => k,
        };
        self.fields.iter().position(|(n, _)| n == name).map(|i| (i, kind_of(i))).ok_or_else(|| {
            crate::errors::AnalyticsError::new_err((
                format!("{name}: no such column"),
                "missing_column".to_string(),
                name.to_string(),
                String::new(),
            ))
        })
    }

    /// The format string of column `index` (for errors).
    pub(crate) fn format(&self, index: usize) -> &str {
        &self.fields[index].1
    }

    /// The next batch, or `None` at the end of the stream.
    pub(crate) fn next_batch(&mut self) -> PyResult<Option<Batch>> {
        let mut array = FfiArray::empty();
        let get_next = self.raw.get_next.ok_or_else(|| stream_error("the stream has no get_next"))?;
        // SAFETY: the stream is live and `array` is a valid place to write.
        let status = unsafe { get_next(&mut *self.raw, &mut array) };
        if status != 0 {
            return Err(stream_error(&self.last_error(status)));
        }
        if array.release.is_none() {
            return Ok(None);
        }
        if usize::try_from(array.n_children).ok() != Some(self.fields.len()) {
            return Err(column_error(
                "n_children",
                &array.n_children.to_string(),
                &format!("a batch has {} columns where the schema has {}", array.n_children, self.fields.len()),
            ));
        }
        let batch = Batch { array, first: self.rows };
        self.rows += batch.len();
        Ok(Some(batch))
    }
}

fn stream_error(message: &str) -> PyErr {
    column_error("", "", message)
}

/// A malformed column: the error names it and the value at fault.
fn column_error(field: &str, value: &str, message: &str) -> PyErr {
    errors::AnalyticsError::new_err((message.to_string(), "arrow".to_string(), field.to_string(), value.to_string()))
}

/// One record batch (a struct array), released when dropped.
pub(crate) struct Batch {
    array: FfiArray,
    /// The stream's row number of this batch's first row (errors name stream rows).
    pub(crate) first: usize,
}

impl Batch {
    /// Rows in the batch.
    pub(crate) fn len(&self) -> usize {
        usize::try_from(self.array.length).unwrap_or(0)
    }

    /// Column `index`'s values as bytes (`width` bytes each), after checking it has no nulls;
    /// `name` is for errors.
    pub(crate) fn values(&self, index: usize, width: usize, name: &str) -> PyResult<&[u8]> {
        // SAFETY: `next_batch` checked the batch has one child per schema field; the child
        // array lives as long as the batch.
        let child = unsafe { &**self.array.children.add(index) };
        let len = self.len();
        let start = usize::try_from(self.array.offset + child.offset).map_err(|_| {
            let offset = (self.array.offset + child.offset).to_string();
            column_error(name, &offset, &format!("{name}: offset {offset} is negative"))
        })?;
        // The struct's rows are the child's rows from the struct's offset on (the child's own
        // offset applies within it): it must hold offset + len of them.
        let needed = usize::try_from(self.array.offset).unwrap_or(usize::MAX).saturating_add(len);
        if usize::try_from(child.length).unwrap_or(0) < needed || child.n_buffers < 2 {
            return Err(column_error(
                name,
                &child.length.to_string(),
                &format!(
                    "{name}: {} values where the batch needs {needed} (and 2 buffers, it has {})",
                    child.length, child.n_buffers
                ),
            ));
        }
        no_nulls(child, start, len, name, self.first)?;
        // SAFETY: a primitive array has a data buffer (buffers[1]) of at least offset + length
        // values.
        let data = unsafe { *child.buffers.add(1) };
        if len == 0 {
            return Ok(&[]);
        }
        if data.is_null() {
            return Err(column_error(name, "null", &format!("{name}: no data buffer")));
        }
        // SAFETY: the data buffer holds at least `start + len` values of `width` bytes.
        Ok(unsafe { std::slice::from_raw_parts(data.cast::<u8>().add(start * width), len * width) })
    }
}

/// Checks rows `start..start + len` of `array` hold values (`first`: the stream row of the
/// batch's first row, for the error).
fn no_nulls(array: &FfiArray, start: usize, len: usize, name: &str, first: usize) -> PyResult<()> {
    // SAFETY: every array but a null array has a validity buffer first (NULL when there are
    // no nulls); the callers checked `n_buffers` is at least 2.
    let validity = unsafe { *array.buffers };
    if array.null_count != 0 && !validity.is_null() {
        // SAFETY: the validity bitmap covers offset + length bits.
        let bits = unsafe { std::slice::from_raw_parts(validity.cast::<u8>(), (start + len).div_ceil(8)) };
        if let Some(row) = (0..len).find(|&row| bits[(start + row) / 8] & (1 << ((start + row) % 8)) == 0) {
            return Err(errors::AnalyticsError::new_err((
                format!("{name}[{}]: is null; every row needs a value", first + row),
                "null".to_string(),
                format!("{name}[{}]", first + row),
                String::new(),
            )));
        }
    } else if array.null_count > 0 {
        return Err(column_error(
            name,
            &array.null_count.to_string(),
            &format!("{name}: {} nulls without a validity bitmap", array.null_count),
        ));
    }
    Ok(())
}

/// Calls `each(row, bytes)` for rows `start..start + len` of a text array, in order.
fn each_text(
    array: &FfiArray,
    kind: TextKind,
    start: usize,
    len: usize,
    name: &str,
    first: usize,
    mut each: impl FnMut(&[u8]),
) -> PyResult<()> {
    let bad = |what: &str| column_error(name, what, &format!("{name}: a malformed text column ({what})"));
    // `start` counts from the buffers' beginning; the array's `length` from its own offset.
    let logical = start.saturating_sub(usize::try_from(array.offset).unwrap_or(0));
    if array.n_buffers < 2 || usize::try_from(array.length).unwrap_or(0) < logical.saturating_add(len) {
        return Err(bad("buffers or length"));
    }
    no_nulls(array, start, len, name, first)?;
    if len == 0 {
        return Ok(());
    }
    match kind {
        TextKind::Utf8 { large } => {
            if array.n_buffers < 3 {
                return Err(bad("no data buffer"));
            }
            // SAFETY: a (large) UTF-8 array has three buffers: validity, offsets, data.
            let (offsets, data) = unsafe { (*array.buffers.add(1), *array.buffers.add(2)) };
            if offsets.is_null() {
                return Err(bad("no offsets"));
            }
            let width = if large { 8 } else { 4 };
            // SAFETY: the offsets buffer holds offset + length + 1 offsets.
            let offsets =
                unsafe { std::slice::from_raw_parts(offsets.cast::<u8>().add(start * width), (len + 1) * width) };
            let at = |i: usize| -> i64 {
                let b = &offsets[i * width..][..width];
                if large {
                    i64::from_le_bytes(b.try_into().unwrap_or([0; 8]))
                } else {
                    i64::from(i32::from_le_bytes(b.try_into().unwrap_or([0; 4])))
                }
            };
            let end = usize::try_from(at(len)).map_err(|_| bad("a negative offset"))?;
            if end > 0 && data.is_null() {
                return Err(bad("no data buffer"));
            }
            // SAFETY: the data buffer holds the bytes up to the last offset.
            let data: &[u8] =
                if end == 0 { &[] } else { unsafe { std::slice::from_raw_parts(data.cast::<u8>(), end) } };
            for row in 0..len {
                let (a, b) = (at(row), at(row + 1));
                let (Ok(a), Ok(b)) = (usize::try_from(a), usize::try_from(b)) else {
                    return Err(bad("a negative offset"));
                };
                if a > b || b > end {
                    return Err(bad("offsets out of order"));
                }
                each(&data[a..b]);
            }
        }
        TextKind::Utf8View => {
            // Buffers: validity, the 16-byte views, the data buffers, then the data
            // buffers' sizes (int64 each).
            let n = usize::try_from(array.n_buffers).unwrap_or(0);
            if n < 3 {
                return Err(bad("no buffer sizes"));
            }
            let data_buffers = n - 3;
            // SAFETY: buffers[1] is the views (offset + length of 16 bytes), the last buffer
            // the data buffers' sizes.
            let (views, sizes) = unsafe { (*array.buffers.add(1), *array.buffers.add(n - 1)) };
            if views.is_null() || (data_buffers > 0 && sizes.is_null()) {
                return Err(bad("no views"));
            }
            // SAFETY: as above.
            let views = unsafe { std::slice::from_raw_parts(views.cast::<u8>().add(start * 16), len * 16) };
            let sizes: Vec<i64> = (0..data_buffers)
                // SAFETY: one int64 size per data buffer.
                .map(|i| unsafe { sizes.cast::<i64>().add(i).read_unaligned() })
                .collect();
            for view in views.chunks_exact(16) {
                let length = i32::from_le_bytes([view[0], view[1], view[2], view[3]]);
                let length = usize::try_from(length).map_err(|_| bad("a negative length"))?;
                if length <= 12 {
                    each(&view[4..4 + length]);
                    continue;
                }
                let buffer = usize::try_from(i32::from_le_bytes([view[8], view[9], view[10], view[11]]))
                    .map_err(|_| bad("a negative buffer index"))?;
                let offset = usize::try_from(i32::from_le_bytes([view[12], view[13], view[14], view[15]]))
                    .map_err(|_| bad("a negative offset"))?;
                if buffer >= data_buffers
                    || usize::try_from(sizes[buffer]).map_or(true, |size| offset.saturating_add(length) > size)
                {
                    return Err(bad("a view outside its buffer"));
                }
                // SAFETY: data buffer `buffer` (buffers[2 + buffer]) holds `sizes[buffer]`
                // bytes, and the view lies within them (checked just above).
                let bytes = unsafe {
                    let data = *array.buffers.add(2 + buffer);
                    if data.is_null() {
                        return Err(bad("no data buffer"));
                    }
                    std::slice::from_raw_parts(data.cast::<u8>().add(offset), length)
                };
                each(bytes);
            }
        }
    }
    Ok(())
}

/// Member labels coded as they are first seen, across the batches of a stream; `sorted`
/// renumbers them in code-point order (UTF-8 byte order), as Python and Node number labels.
#[derive(Default)]
pub(crate) struct Labels {
    index: std::collections::HashMap<Box<[u8]>, u64, std::hash::BuildHasherDefault<Fx>>,
    names: Vec<Box<[u8]>>,
    /// Whether a batch had integer ids (which do not mix with labels).
    integers: bool,
    /// The order `sorted` found, kept until another label arrives.
    sorted: Option<(Vec<usize>, Vec<u64>)>,
}

/// FxHash's word step (one multiply per 8 bytes) with a final mix, so the low bits the table
/// indexes by depend on every byte (labels like `member-123456` differ only in their last
/// bytes). Labels come from the host's own data: speed matters more than resisting chosen
/// collisions.
#[derive(Default, Clone, Copy)]
pub(crate) struct Fx(u64);

impl std::hash::Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().unwrap_or([0; 8])));
        }
        let mut tail = [0u8; 8];
        tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
        self.add(u64::from_le_bytes(tail) ^ (bytes.len() as u64) << 56);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^ (h >> 33)
    }
}

impl Fx {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Labels {
    fn code(&mut self, bytes: &[u8]) -> u64 {
        if let Some(code) = self.index.get(bytes) {
            return *code;
        }
        let code = self.names.len() as u64;
        self.names.push(bytes.into());
        self.index.insert(bytes.into(), code);
        self.sorted = None;
        code
    }

    /// True when no batch had labels.
    pub(crate) fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    fn order(&mut self) -> &(Vec<usize>, Vec<u64>) {
        let names = &self.names;
        self.sorted.get_or_insert_with(|| {
            let mut order: Vec<usize> = (0..names.len()).collect();
            order.sort_unstable_by(|&a, &b| names[a].cmp(&names[b]));
            let mut rank = vec![0u64; order.len()];
            for (position, &code) in order.iter().enumerate() {
                rank[code] = position as u64;
            }
            (order, rank)
        })
    }

    /// Each first-seen code's position in code-point order.
    pub(crate) fn ranks(&mut self) -> Vec<u64> {
        self.order().1.clone()
    }

    /// The labels in code-point order.
    pub(crate) fn sorted_names(&mut self) -> Vec<String> {
        let order = self.order().0.clone();
        order.iter().map(|&code| String::from_utf8_lossy(&self.names[code]).into_owned()).collect()
    }
}

impl Batch {
    /// A text column (plain, large, view or dictionary) as member codes from `labels`.
    fn text_codes(&self, index: usize, kind: Kind, name: &str, labels: &mut Labels) -> PyResult<Vec<u64>> {
        let len = self.len();
        let mut codes = Vec::with_capacity(len);
        if let Kind::Dictionary { width, signed, values } = kind {
            let indices = widen(self.values(index, width, name)?, width, signed);
            // SAFETY: `next_batch` checked the batch has one child per field; a dictionary
            // array's `dictionary` is NULL or a valid array that lives as long.
            let dictionary = unsafe { (**self.array.children.add(index)).dictionary };
            if dictionary.is_null() {
                return Err(column_error(
                    name,
                    "dictionary",
                    &format!("{name}: a dictionary column without its values"),
                ));
            }
            // SAFETY: just checked non-NULL.
            let dictionary = unsafe { &*dictionary };
            let (start, count) =
                (usize::try_from(dictionary.offset).unwrap_or(0), usize::try_from(dictionary.length).unwrap_or(0));
            let mut entries: Vec<Box<[u8]>> = Vec::with_capacity(count);
            each_text(dictionary, values, start, count, name, 0, |b| entries.push(b.into()))?;
            // Only the entries the rows use are coded.
            let mut coded: Vec<Option<u64>> = vec![None; count];
            for (row, &i) in indices.iter().enumerate() {
                let entry = usize::try_from(i).ok().filter(|&e| e < count).ok_or_else(|| {
                    column_error(
                        &format!("{name}[{}]", self.first + row),
                        &i.to_string(),
                        &format!("{name}[{}]: dictionary index {i} is outside the dictionary", self.first + row),
                    )
                })?;
                let code = *coded[entry].get_or_insert_with(|| labels.code(&entries[entry]));
                codes.push(code);
            }
            return Ok(codes);
        }
        let text = match kind {
            Kind::Utf8 { large } => TextKind::Utf8 { large },
            _ => TextKind::Utf8View,
        };
        // SAFETY: `next_batch` checked the batch has one child per field.
        let child = unsafe { &**self.array.children.add(index) };
        let start = usize::try_from(self.array.offset + child.offset)
            .map_err(|_| column_error(name, "offset", &format!("{name}: a negative offset")))?;
        each_text(child, text, start, len, name, self.first, |b| codes.push(labels.code(b)))?;
        Ok(codes)
    }
}

/// Integers of `width` bytes widened to 64 bits.
fn widen(bytes: &[u8], width: usize, signed: bool) -> Vec<i64> {
    bytes
        .chunks_exact(width)
        .map(|c| {
            let mut w = if signed && c[width - 1] & 0x80 != 0 { [0xffu8; 8] } else { [0u8; 8] };
            w[..width].copy_from_slice(c);
            i64::from_le_bytes(w)
        })
        .collect()
}

/// The error for a column of a type the analytics cannot read (a `TypeError` for money, as
/// for any other wrong money type).
pub(crate) fn unsupported(name: &str, format: &str, expected: &str, money: bool) -> PyErr {
    let message = format!("{name}: an Arrow column of format {format:?}; expected {expected}");
    if money {
        return PyTypeError::new_err(message);
    }
    errors::AnalyticsError::new_err((message, "invalid".to_string(), name.to_string(), format.to_string()))
}

/// An integer column (`kind` is `Int` or `UInt`) as unsigned 64-bit values: borrowed when
/// 64-bit; a negative value is `negative(row, value)`.
fn non_negative<'a>(
    batch: &'a Batch,
    index: usize,
    kind: Kind,
    name: &str,
    negative: impl Fn(usize, i64) -> PyErr,
) -> PyResult<Cow<'a, [u64]>> {
    let (Kind::Int(w) | Kind::UInt(w)) = kind else {
        return Err(unsupported(name, "", "integers", false));
    };
    if w == 8 {
        let values = loyalty::interop::le_u64(name, batch.values(index, 8, name)?).map_err(errors::analytics)?;
        if kind == Kind::Int(8) {
            if let Some(row) = values.iter().position(|&v| v >> 63 != 0) {
                return Err(negative(row, values[row] as i64));
            }
        }
        return Ok(values);
    }
    let values = widen(batch.values(index, w, name)?, w, matches!(kind, Kind::Int(_)));
    if let Some(row) = values.iter().position(|&v| v < 0) {
        return Err(negative(row, values[row]));
    }
    Ok(Cow::Owned(values.into_iter().map(|v| v as u64).collect()))
}

/// A member-id column as unsigned 64-bit ids: integers borrowed when 64-bit and refused when
/// negative; text (plain, large, view or dictionary) coded by `labels`. A stream's batches
/// have one kind of id.
pub(crate) fn member_ids<'a>(
    batch: &'a Batch,
    index: usize,
    kind: Kind,
    name: &str,
    format: &str,
    labels: &mut Labels,
) -> PyResult<Cow<'a, [u64]>> {
    let negative = |row: usize, value: i64| {
        errors::AnalyticsError::new_err((
            format!("{name}[{}]: {value} is negative; integer member ids must be at least 0", batch.first + row),
            "negative_member_id".to_string(),
            format!("{name}[{}]", batch.first + row),
            value.to_string(),
        ))
    };
    let mixed = || {
        errors::AnalyticsError::new_err((
            format!("{name}: batches mix integer and other ids"),
            "invalid".to_string(),
            name.to_string(),
            format.to_string(),
        ))
    };
    match kind {
        Kind::UInt(_) | Kind::Int(_) => {
            if !labels.is_empty() {
                return Err(mixed());
            }
            labels.integers = true;
            non_negative(batch, index, kind, name, negative)
        }
        Kind::Utf8 { .. } | Kind::Utf8View | Kind::Dictionary { .. } => {
            if labels.integers {
                return Err(mixed());
            }
            batch.text_codes(index, kind, name, labels).map(Cow::Owned)
        }
        _ => Err(unsupported(name, format, "integer or text member ids", false)),
    }
}

/// An instant column as Unix seconds: timestamps of any unit (floored), dates, or integer
/// seconds; borrowed when already seconds.
pub(crate) fn seconds<'a>(
    batch: &'a Batch,
    index: usize,
    kind: Kind,
    name: &str,
    format: &str,
) -> PyResult<Cow<'a, [i64]>> {
    let (unit, values) = match kind {
        Kind::Instant(unit) => (unit, loyalty::interop::le_i64(name, batch.values(index, 8, name)?)),
        Kind::Int(8) => (TimeUnit::Seconds, loyalty::interop::le_i64(name, batch.values(index, 8, name)?)),
        Kind::Date32 => (TimeUnit::Days, Ok(Cow::Owned(widen(batch.values(index, 4, name)?, 4, true)))),
        _ => return Err(unsupported(name, format, "timestamps, dates or integer Unix seconds", false)),
    };
    let values = values.map_err(errors::analytics)?;
    Ok(match (values, unit) {
        (Cow::Borrowed(v), TimeUnit::Seconds) => Cow::Borrowed(v),
        (v, unit) => Cow::Owned(loyalty::interop::unix_seconds(&v, unit).into_owned()),
    })
}

/// A money column as minor units at `scale`: integers when `minor`, else decimals.
pub(crate) fn minor_units<'a>(
    batch: &'a Batch,
    index: usize,
    kind: Kind,
    name: &str,
    format: &str,
    minor: bool,
    scale: u32,
) -> PyResult<Cow<'a, [i64]>> {
    match kind {
        Kind::Float => Err(PyTypeError::new_err(format!(
            "{name}: a floating-point column ({format:?}); money must be Decimal or integer minor units, never float"
        ))),
        Kind::Int(8) if minor => {
            loyalty::interop::le_i64(name, batch.values(index, 8, name)?).map_err(errors::analytics)
        }
        Kind::UInt(8) if minor => {
            let values = loyalty::interop::le_u64(name, batch.values(index, 8, name)?).map_err(errors::analytics)?;
            if let Some(row) = values.iter().position(|&v| i64::try_from(v).is_err()) {
                let (field, value) = (format!("{name}[{}]", batch.first + row), values[row].to_string());
                return Err(errors::AnalyticsError::new_err((
                    format!("{field}: {value} is more than 64-bit minor units hold"),
                    "invalid".to_string(),
                    field,
                    value,
                )));
            }
            Ok(Cow::Owned(values.iter().map(|&v| v as i64).collect()))
        }
        Kind::Int(w) if minor => Ok(Cow::Owned(widen(batch.values(index, w, name)?, w, true))),
        Kind::UInt(w) if minor => Ok(Cow::Owned(widen(batch.values(index, w, name)?, w, false))),
        Kind::Decimal128(from_scale) if !minor => {
            loyalty::interop::le_decimal128_minor(name, batch.values(index, 16, name)?, from_scale, scale, batch.first)
                .map(Cow::Owned)
                .map_err(errors::analytics)
        }
        _ if minor => Err(unsupported(name, format, "integers (minor units)", true)),
        _ => Err(unsupported(name, format, "decimals", true)),
    }
}

/// The names of the three order columns, and how money is read (`minor`: integers in minor
/// units, else decimals scaled to `scale` places).
pub(crate) struct OrderColumns<'a> {
    pub member_id: &'a str,
    pub ordered_at: &'a str,
    pub amount: &'a str,
    pub minor: bool,
    pub scale: u32,
}

/// One batch's three order columns, as the core takes them.
#[allow(clippy::type_complexity)]
fn read_orders<'b>(
    batch: &'b Batch,
    columns: &[(usize, Kind); 3],
    formats: &[String; 3],
    names: &OrderColumns<'_>,
    labels: &mut Labels,
) -> PyResult<(Cow<'b, [u64]>, Cow<'b, [i64]>, Cow<'b, [i64]>)> {
    let [(m, m_kind), (t, t_kind), (a, a_kind)] = *columns;
    Ok((
        member_ids(batch, m, m_kind, names.member_id, &formats[0], labels)?,
        seconds(batch, t, t_kind, names.ordered_at, &formats[1])?,
        minor_units(batch, a, a_kind, names.amount, &formats[2], names.minor, names.scale)?,
    ))
}

/// A stream opened for the three order columns.
struct OrderStream<'a> {
    stream: Stream,
    columns: [(usize, Kind); 3],
    formats: [String; 3],
    names: &'a OrderColumns<'a>,
}

impl<'a> OrderStream<'a> {
    fn open(source: &Bound<'_, PyAny>, names: &'a OrderColumns<'a>) -> PyResult<OrderStream<'a>> {
        let stream = Stream::from_object(source)?;
        let columns = [stream.column(names.member_id)?, stream.column(names.ordered_at)?, stream.column(names.amount)?];
        let formats = columns.map(|(i, _)| stream.format(i).to_string());
        Ok(OrderStream { stream, columns, formats, names })
    }

    /// The next batch and its three columns as the core takes them.
    fn next_batch(&mut self) -> PyResult<Option<Batch>> {
        self.stream.next_batch()
    }

    #[allow(clippy::type_complexity)]
    fn read<'b>(
        &self,
        batch: &'b Batch,
        labels: &mut Labels,
    ) -> PyResult<(Cow<'b, [u64]>, Cow<'b, [i64]>, Cow<'b, [i64]>)> {
        read_orders(batch, &self.columns, &self.formats, self.names, labels)
    }
}

/// Calls `f` with each batch of a stream in turn (without the interpreter lock). The core
/// numbers rows over all the batches it was given, so its errors name the stream's row.
/// Text member ids are coded by `labels`.
pub(crate) fn each_batch(
    py: Python<'_>,
    source: &Bound<'_, PyAny>,
    names: &OrderColumns<'_>,
    labels: &mut Labels,
    mut f: impl FnMut(&loyalty::analytics::Orders<'_>) -> Result<(), loyalty::analytics::AnalyticsError> + Send,
) -> PyResult<()> {
    let mut stream = OrderStream::open(source, names)?;
    while let Some(batch) = stream.next_batch()? {
        let (members, times, amounts) = stream.read(&batch, labels)?;
        let orders = loyalty::analytics::Orders { member_id: &members, ordered_at: &times, amount_minor: &amounts };
        py.detach(|| f(&orders)).map_err(errors::analytics)?;
    }
    Ok(())
}

/// Calls `f` with a whole stream's orders at once (for the jobs that need every order
/// together: cohorts, CLV summaries): a stream of one batch is read in place; several are
/// gathered into one set of columns first. `f` runs without the interpreter lock. Text
/// member ids are coded by `labels`.
pub(crate) fn whole_stream<R: Send>(
    py: Python<'_>,
    source: &Bound<'_, PyAny>,
    names: &OrderColumns<'_>,
    labels: &mut Labels,
    f: impl FnOnce(&loyalty::analytics::Orders<'_>) -> R + Send,
) -> PyResult<R> {
    let mut stream = OrderStream::open(source, names)?;
    let Some(first) = stream.next_batch()? else {
        return Ok(py.detach(|| f(&loyalty::analytics::Orders { member_id: &[], ordered_at: &[], amount_minor: &[] })));
    };
    let Some(second) = stream.next_batch()? else {
        let (members, times, amounts) = stream.read(&first, labels)?;
        let orders = loyalty::analytics::Orders { member_id: &members, ordered_at: &times, amount_minor: &amounts };
        return Ok(py.detach(|| f(&orders)));
    };
    let (mut members, mut times, mut amounts) = (Vec::new(), Vec::new(), Vec::new());
    let mut batch = Some(first);
    let mut pending = Some(second);
    while let Some(b) = batch {
        let (bm, bt, ba) = stream.read(&b, labels)?;
        members.extend_from_slice(&bm);
        times.extend_from_slice(&bt);
        amounts.extend_from_slice(&ba);
        batch = match pending.take() {
            Some(next) => Some(next),
            None => stream.next_batch()?,
        };
    }
    let orders = loyalty::analytics::Orders { member_id: &members, ordered_at: &times, amount_minor: &amounts };
    Ok(py.detach(|| f(&orders)))
}

/// A count column (a CLV summary's frequency) as unsigned 64-bit counts: borrowed when
/// 64-bit integers, refused when negative; 64-bit floats accepted when whole.
fn counts<'a>(batch: &'a Batch, index: usize, kind: Kind, name: &str, format: &str) -> PyResult<Cow<'a, [u64]>> {
    let negative = |row: usize, value: i64| {
        errors::AnalyticsError::new_err((
            format!("{name}[{}]: {value} is negative; a count must be at least 0", batch.first + row),
            "invalid".to_string(),
            format!("{name}[{}]", batch.first + row),
            value.to_string(),
        ))
    };
    match kind {
        Kind::UInt(_) | Kind::Int(_) => non_negative(batch, index, kind, name, negative),
        // Floats holding whole counts (as other libraries' summaries have them).
        Kind::Float if format == "g" => {
            let values = loyalty::interop::le_f64(name, batch.values(index, 8, name)?).map_err(errors::analytics)?;
            values
                .iter()
                .enumerate()
                .map(|(row, &v)| {
                    if v.fract() == 0.0 && (0.0..=u64::MAX as f64).contains(&v) {
                        Ok(v as u64)
                    } else {
                        Err(errors::AnalyticsError::new_err((
                            format!("{name}[{}]: {v} is not a whole count of at least 0", batch.first + row),
                            "invalid".to_string(),
                            format!("{name}[{}]", batch.first + row),
                            v.to_string(),
                        )))
                    }
                })
                .collect::<PyResult<Vec<u64>>>()
                .map(Cow::Owned)
        }
        _ => Err(unsupported(name, format, "integer counts", false)),
    }
}

/// A number column (ages in periods) as f64s: borrowed when 64-bit floats; 32-bit floats
/// and integers converted.
fn numbers<'a>(batch: &'a Batch, index: usize, kind: Kind, name: &str, format: &str) -> PyResult<Cow<'a, [f64]>> {
    match (kind, format) {
        (Kind::Float, "g") => loyalty::interop::le_f64(name, batch.values(index, 8, name)?).map_err(errors::analytics),
        (Kind::Float, "f") => Ok(Cow::Owned(
            batch
                .values(index, 4, name)?
                .chunks_exact(4)
                .map(|c| f64::from(f32::from_le_bytes([c[0], c[1], c[2], c[3]])))
                .collect(),
        )),
        (Kind::Int(w), _) => {
            Ok(Cow::Owned(widen(batch.values(index, w, name)?, w, true).into_iter().map(|v| v as f64).collect()))
        }
        (Kind::UInt(w), _) => Ok(Cow::Owned(
            widen(batch.values(index, w, name)?, w, false).into_iter().map(|v| v as u64 as f64).collect(),
        )),
        _ => Err(unsupported(name, format, "numbers (64- or 32-bit floats, or integers)", false)),
    }
}

/// Calls `f` with a stream's CLV customers (`names`: the frequency, recency and T columns)
/// all at once: a stream of one batch is read in place; several are gathered into one set
/// of columns first. `f` holds the interpreter lock (to build its result) and releases it
/// for the work.
pub(crate) fn customer_stream<R>(
    source: &Bound<'_, PyAny>,
    names: [&str; 3],
    f: impl FnOnce(&loyalty::analytics::clv::CustomerColumns<'_>) -> PyResult<R>,
) -> PyResult<R> {
    let mut stream = Stream::from_object(source)?;
    let columns = [stream.column(names[0])?, stream.column(names[1])?, stream.column(names[2])?];
    let formats = columns.map(|(i, _)| stream.format(i).to_string());
    #[allow(clippy::type_complexity)]
    let read = |batch: &Batch| -> PyResult<(Vec<u64>, Vec<f64>, Vec<f64>)> {
        let [(fi, fk), (ri, rk), (ti, tk)] = columns;
        Ok((
            counts(batch, fi, fk, names[0], &formats[0])?.into_owned(),
            numbers(batch, ri, rk, names[1], &formats[1])?.into_owned(),
            numbers(batch, ti, tk, names[2], &formats[2])?.into_owned(),
        ))
    };
    // Several batches: gathered.
    let Some(first) = stream.next_batch()? else {
        return f(&loyalty::analytics::clv::CustomerColumns { frequency: &[], recency: &[], t: &[] });
    };
    let Some(mut next) = stream.next_batch()? else {
        // One batch: borrowed in place.
        let [(fi, fk), (ri, rk), (ti, tk)] = columns;
        let frequency = counts(&first, fi, fk, names[0], &formats[0])?;
        let recency = numbers(&first, ri, rk, names[1], &formats[1])?;
        let t = numbers(&first, ti, tk, names[2], &formats[2])?;
        return f(&loyalty::analytics::clv::CustomerColumns { frequency: &frequency, recency: &recency, t: &t });
    };
    let (mut frequency, mut recency, mut t) = read(&first)?;
    loop {
        let (bf, br, bt) = read(&next)?;
        frequency.extend_from_slice(&bf);
        recency.extend_from_slice(&br);
        t.extend_from_slice(&bt);
        match stream.next_batch()? {
            Some(b) => next = b,
            None => break,
        }
    }
    f(&loyalty::analytics::clv::CustomerColumns { frequency: &frequency, recency: &recency, t: &t })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_read_as_the_interface_spells_them() {
        assert_eq!(kind("l"), Kind::Int(8));
        assert_eq!(kind("I"), Kind::UInt(4));
        assert_eq!(kind("tsn:"), Kind::Instant(TimeUnit::Nanoseconds));
        assert_eq!(kind("tsu:Europe/Paris"), Kind::Instant(TimeUnit::Microseconds));
        assert_eq!(kind("tss:UTC"), Kind::Instant(TimeUnit::Seconds));
        assert_eq!(kind("tdD"), Kind::Date32);
        assert_eq!(kind("d:38,2"), Kind::Decimal128(2));
        assert_eq!(kind("d:10,3,128"), Kind::Decimal128(3));
        assert_eq!(kind("d:10,3,256"), Kind::Other);
        assert_eq!(kind("g"), Kind::Float);
        assert_eq!(kind("u"), Kind::Utf8 { large: false });
        assert_eq!(kind("U"), Kind::Utf8 { large: true });
        assert_eq!(kind("vu"), Kind::Utf8View);
        assert_eq!(kind("z"), Kind::Other);
        assert_eq!(kind("tsx:"), Kind::Other);
    }

    #[test]
    fn labels_are_numbered_in_code_point_order_whatever_order_they_came_in() {
        let mut labels = Labels::default();
        let codes: Vec<u64> = ["émile", "bob", "Zoë", "bob", "ann"].iter().map(|l| labels.code(l.as_bytes())).collect();
        assert_eq!(codes, [0, 1, 2, 1, 3]);
        assert_eq!(labels.sorted_names(), ["Zoë", "ann", "bob", "émile"]);
        // émile (first seen, code 0) is last in code-point order; Zoë (code 2) first.
        assert_eq!(labels.ranks(), [3, 2, 0, 1]);
    }

    #[test]
    fn narrow_integers_widen_with_their_sign() {
        assert_eq!(widen(&[0xff, 0x7f, 0x00, 0x80], 2, true), [32_767, -32_768]);
        assert_eq!(widen(&[0xff, 0xff], 2, false), [65_535]);
        assert_eq!(widen(&(-5i32).to_le_bytes(), 4, true), [-5]);
    }
}
