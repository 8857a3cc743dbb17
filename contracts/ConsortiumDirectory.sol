// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.28;

/**
 * @title ConsortiumDirectory
 * @notice Who takes part in the hospital consortium: its admins, its wards, and the people of a
 * ward who may receive records from other wards (public keys only).
 * @dev Runs on the hospital's permissioned chain (Hyperledger Besu QBFT in production). A ward is
 * known by its sync account, the unattended key its workstation signs consortium transactions
 * with. The directory holds no patient data of any kind: ward names, ward keys, and clinicians'
 * public keys with the display name their ward publishes for them (so a patient on another ward can
 * choose them by name). Consortium admins (the hospital's IT) add, update and remove wards; a ward
 * adds and removes its own recipients. Every change emits an event, so the whole history of the
 * directory can be rebuilt from logs. The contract always keeps at least one admin.
 */
contract ConsortiumDirectory {
    /// @notice A ward's entry.
    struct Ward {
        /// Display name of the ward, as IT typed it (e.g. "Ward 7B Cardiology").
        string name;
        /// 64-byte uncompressed secp256k1 key of the sync account (no 0x04 prefix); it hashes to the account.
        bytes syncPublicKey;
        /// 64-byte public key of the ward's care team (readers of what is shared with the ward).
        bytes teamPublicKey;
        /// Block in which the ward was (last) added; 0 when never added.
        uint64 activeSince;
        /// Block in which the ward was removed; 0 while it is active.
        uint64 removedAt;
    }

    /// @notice The caller is not a consortium admin.
    error NotAdmin(address caller);
    /// @notice The caller is not an active ward.
    error NotActiveWard(address caller);
    /// @notice The zero address was given.
    error ZeroAddress();
    /// @notice The account is already an admin.
    error AlreadyAdmin(address account);
    /// @notice The account is not an admin.
    error UnknownAdmin(address account);
    /// @notice An admin tried to remove itself (the directory must keep an admin).
    error CannotRemoveSelf();
    /// @notice The account is already an active ward.
    error AlreadyWard(address account);
    /// @notice The account is not an active ward.
    error UnknownWard(address account);
    /// @notice The ward name is empty or longer than MAX_NAME_BYTES.
    error InvalidName();
    /// @notice A public key is not 64 bytes, or the sync key does not hash to the ward's account.
    error InvalidPublicKey();
    /// @notice The recipient key is already registered (by this or another ward).
    error AlreadyRecipient(bytes32 keyHash);
    /// @notice No such recipient, or the caller may not remove it.
    error UnknownRecipient(bytes32 keyHash);
    /// @notice wardAt was called past the end of the ward list.
    error IndexOutOfBounds(uint256 index, uint256 count);

    /// @notice `account` became a consortium admin.
    event AdminAdded(address indexed account, address indexed by);
    /// @notice `account` is no longer a consortium admin.
    event AdminRemoved(address indexed account, address indexed by);
    /// @notice A ward joined (or rejoined) the consortium.
    event WardAdded(address indexed account, string name, bytes syncPublicKey, bytes teamPublicKey, address indexed by);
    /// @notice A ward's name or care team key changed.
    event WardUpdated(address indexed account, string name, bytes teamPublicKey, address indexed by);
    /// @notice A ward left the consortium; it can no longer publish, and its recipients no longer count.
    event WardRemoved(address indexed account, address indexed by);
    /// @notice A ward registered a person who may receive records across wards, with the name it shows them by.
    event RecipientAdded(address indexed ward, bytes32 indexed keyHash, bytes publicKey, string name);
    /// @notice A recipient was withdrawn by its ward or by an admin.
    event RecipientRemoved(address indexed ward, bytes32 indexed keyHash, address indexed by);

    /// @notice Longest ward name accepted, in UTF-8 bytes.
    uint256 public constant MAX_NAME_BYTES = 96;
    uint256 private constant _PUBLIC_KEY_LENGTH = 64;

    mapping(address account => bool) public isAdmin;
    uint256 public adminCount;
    mapping(address account => Ward) private _wards;
    address[] private _wardAccounts;
    mapping(bytes32 keyHash => address ward) private _recipientWard;

    modifier onlyAdmin() {
        if (!isAdmin[msg.sender]) revert NotAdmin(msg.sender);
        _;
    }

    /// @notice Creates the directory with the deployer as its first admin.
    constructor() {
        isAdmin[msg.sender] = true;
        adminCount = 1;
        emit AdminAdded(msg.sender, msg.sender);
    }

    /**
     * @notice Makes `account` a consortium admin. Only an admin.
     * @param account The new admin.
     */
    function addAdmin(address account) external onlyAdmin {
        if (account == address(0)) revert ZeroAddress();
        if (isAdmin[account]) revert AlreadyAdmin(account);
        isAdmin[account] = true;
        adminCount += 1;
        emit AdminAdded(account, msg.sender);
    }

    /**
     * @notice Withdraws `account`'s admin right. Only an admin, never on itself.
     * @param account An admin other than the caller.
     */
    function removeAdmin(address account) external onlyAdmin {
        if (account == msg.sender) revert CannotRemoveSelf();
        if (!isAdmin[account]) revert UnknownAdmin(account);
        isAdmin[account] = false;
        adminCount -= 1;
        emit AdminRemoved(account, msg.sender);
    }

    /**
     * @notice Adds a ward, or re-adds a removed one. Only an admin.
     * @param account The ward's sync account.
     * @param name Display name, 1..MAX_NAME_BYTES bytes.
     * @param syncPublicKey The sync account's 64-byte public key; keccak256 of it must end in `account`.
     * @param teamPublicKey The ward care team's 64-byte public key.
     */
    function addWard(address account, string calldata name, bytes calldata syncPublicKey, bytes calldata teamPublicKey) external onlyAdmin {
        if (account == address(0)) revert ZeroAddress();
        if (isActiveWard(account)) revert AlreadyWard(account);
        _requireName(name);
        if (syncPublicKey.length != _PUBLIC_KEY_LENGTH || address(uint160(uint256(keccak256(syncPublicKey)))) != account) {
            revert InvalidPublicKey();
        }
        if (teamPublicKey.length != _PUBLIC_KEY_LENGTH) revert InvalidPublicKey();

        Ward storage w = _wards[account];
        if (w.activeSince == 0) _wardAccounts.push(account);
        w.name = name;
        w.syncPublicKey = syncPublicKey;
        w.teamPublicKey = teamPublicKey;
        w.activeSince = uint64(block.number);
        w.removedAt = 0;
        emit WardAdded(account, name, syncPublicKey, teamPublicKey, msg.sender);
    }

    /**
     * @notice Changes an active ward's name and care team key (after the ward renewed its team key).
     * @dev Only an admin. What was wrapped for the old team key stays readable with it.
     * @param account The ward's sync account.
     * @param name New display name.
     * @param teamPublicKey New 64-byte care team public key.
     */
    function updateWard(address account, string calldata name, bytes calldata teamPublicKey) external onlyAdmin {
        if (!isActiveWard(account)) revert UnknownWard(account);
        _requireName(name);
        if (teamPublicKey.length != _PUBLIC_KEY_LENGTH) revert InvalidPublicKey();
        Ward storage w = _wards[account];
        w.name = name;
        w.teamPublicKey = teamPublicKey;
        emit WardUpdated(account, name, teamPublicKey, msg.sender);
    }

    /**
     * @notice Removes a ward: it can no longer publish and its recipients stop counting. What it
     * published while active stays valid. Only an admin.
     * @param account The ward's sync account.
     */
    function removeWard(address account) external onlyAdmin {
        if (!isActiveWard(account)) revert UnknownWard(account);
        _wards[account].removedAt = uint64(block.number);
        emit WardRemoved(account, msg.sender);
    }

    /**
     * @notice The calling ward registers one of its people (a clinician) who may receive records
     * from other wards, with the name patients choose them by (e.g. "Grace Hopper (doctor)"). Never
     * register a patient here.
     * @param publicKey The person's 64-byte public key.
     * @param name The person's display name, as their ward publishes it (1 to MAX_NAME_BYTES bytes).
     */
    function addRecipient(bytes calldata publicKey, string calldata name) external {
        if (!isActiveWard(msg.sender)) revert NotActiveWard(msg.sender);
        if (publicKey.length != _PUBLIC_KEY_LENGTH) revert InvalidPublicKey();
        _requireName(name);
        bytes32 keyHash = keccak256(publicKey);
        if (_recipientWard[keyHash] != address(0)) revert AlreadyRecipient(keyHash);
        _recipientWard[keyHash] = msg.sender;
        emit RecipientAdded(msg.sender, keyHash, publicKey, name);
    }

    /**
     * @notice Withdraws a recipient. Only the ward that registered it, or an admin.
     * @param keyHash keccak256 of the recipient's 64-byte public key.
     */
    function removeRecipient(bytes32 keyHash) external {
        address owner = _recipientWard[keyHash];
        if (owner == address(0) || (owner != msg.sender && !isAdmin[msg.sender])) revert UnknownRecipient(keyHash);
        delete _recipientWard[keyHash];
        emit RecipientRemoved(owner, keyHash, msg.sender);
    }

    /**
     * @notice Whether `account` is an active ward now.
     * @param account A sync account.
     * @return True while the ward is added and not removed.
     */
    function isActiveWard(address account) public view returns (bool) {
        Ward storage w = _wards[account];
        return w.activeSince != 0 && w.removedAt == 0;
    }

    /**
     * @notice A ward's entry (all zero when never added; removedAt set once removed).
     * @param account A sync account.
     * @return The entry.
     */
    function ward(address account) external view returns (Ward memory) {
        return _wards[account];
    }

    /**
     * @notice The active ward a recipient key belongs to.
     * @param keyHash keccak256 of the 64-byte public key.
     * @return The ward's sync account, or the zero address when unknown or the ward was removed.
     */
    function recipientWard(bytes32 keyHash) external view returns (address) {
        address w = _recipientWard[keyHash];
        return isActiveWard(w) ? w : address(0);
    }

    /**
     * @notice Number of accounts ever added as wards (active or removed).
     * @return The count.
     */
    function wardCount() external view returns (uint256) {
        return _wardAccounts.length;
    }

    /**
     * @notice The `index`-th account ever added as a ward, in order of first addition.
     * @param index Zero-based position, below wardCount().
     * @return The sync account.
     */
    function wardAt(uint256 index) external view returns (address) {
        uint256 count = _wardAccounts.length;
        if (index >= count) revert IndexOutOfBounds(index, count);
        return _wardAccounts[index];
    }

    function _requireName(string calldata name) private pure {
        if (bytes(name).length == 0 || bytes(name).length > MAX_NAME_BYTES) revert InvalidName();
    }
}
